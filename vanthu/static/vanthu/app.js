// vanthu — small progressive enhancements; no inline scripts anywhere (CSP: script-src 'self').
