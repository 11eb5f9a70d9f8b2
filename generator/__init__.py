"""gen-worksheets: printable backpropagation exercises, a different variant per student.

The library behind the command: ``make_batch`` draws and solves variants; ``export`` and
``render`` turn a batch into answers.json, answers.csv, HTML and PDF.
"""

__version__ = "0.1.0"
