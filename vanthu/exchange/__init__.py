"""Exchange: documents and statuses travelling between units and deployments (edXML, QCVN 102:2016).

`edxml/` is a pure adapter (typed dataclasses ⇄ signed XML); it never touches the ORM. Transports, the outbox
and the actions that send and receive come on top of it.
"""
