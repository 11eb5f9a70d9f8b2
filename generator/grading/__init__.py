"""Responses in, marks out: what students wrote (``responses``), read from a typed-in CSV
(``csvfile``) or their saved notebooks (``notebooks``; ``read`` picks one), each answer's status
with error carried forward (``statuses``), and the report of a class (``report``)."""
