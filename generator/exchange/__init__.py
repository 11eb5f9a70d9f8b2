"""The files one side writes and the other reads, each format's writer and reader side by side:
the ``--given`` JSON (``givenfile``), answers.json and answers.csv (``answers``), the sheet for
typing responses in (``responsesheet``), and what a notebook records for the grader
(``notebookmeta``)."""
