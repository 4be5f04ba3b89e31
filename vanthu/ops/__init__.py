"""Pages for the IT board over the running deployment: the jobs page (queued, running, failed, retry) and
`/healthz`. An interface app on the top floor: it reads the job engine (`vanthu.jobs`) and org's roles; the
engine itself imports no app."""
