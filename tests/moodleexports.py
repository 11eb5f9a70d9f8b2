"""Responses reports in Moodle's download formats, for simulated students: each file is one of
the real exports in tests/moodle-samples with its table replaced, so everything around the
table (the ZIP's members, styles, the XML's namespaces and cell markup) is what Moodle writes."""

import csv
import io
import json
import re
import zipfile
from html import unescape
from pathlib import Path
from xml.sax.saxutils import escape

# Real exports from a Moodle 5.0 site, beside the repository (its README says what each student typed).
SAMPLES = Path(__file__).resolve().parent / "moodle-samples"  # copied from the shared samples, screenshots left out

# The Responses report's headers in English (the samples') and Russian (a Russian site's).
HEADERS = {
    "en": ["Last name", "First name", "Email address", "Status", "Started", "Completed", "Duration", "Grade/10.00",
           "Question 1", "Response 1", "Right answer 1"],
    "ru": ["Фамилия", "Имя", "Адрес электронной почты", "Состояние", "Тест начат", "Завершено", "Затраченное время",
           "Оценка/10,00", "Вопрос 1", "Ответ 1", "Правильный ответ 1"],
    # German: words gen-worksheets does not know, so the columns go by position and content.
    "de": ["Nachname", "Vorname", "E-Mail-Adresse", "Status", "Begonnen", "Beendet", "Dauer", "Bewertung/10,00",
           "Frage 1", "Antwort 1", "Richtige Antwort 1"],
}


def write_csv(path: Path, header, rows) -> Path:
    """Moodle's CSV; ``*.semicolon.csv``: as a spreadsheet in a decimal-comma locale saves it again."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=";" if path.name.endswith(".semicolon.csv") else ",")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


def _column(k: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[k]


def write_xlsx(path: Path, header, rows) -> Path:
    table = [list(header), *map(list, rows)]
    cells = "".join(
        f'<row r="{i + 1}" spans="1:{len(header)}" customHeight="0">' + "".join(
            f'<c r="{_column(k)}{i + 1}" s="0" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for k, text in enumerate(row)) + "</row>"
        for i, row in enumerate(table))
    with zipfile.ZipFile(SAMPLES / "en-responses.xlsx") as sample, zipfile.ZipFile(path, "w") as out:
        for item in sample.infolist():
            data = sample.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{_column(len(header) - 1)}'
                              f'{len(table)}"/>', text)
                text = re.sub(r"<sheetData>.*</sheetData>", lambda m: f"<sheetData>{cells}</sheetData>", text,
                              flags=re.S)
                data = text.encode("utf-8")
            out.writestr(item, data)
    return path


def write_ods(path: Path, header, rows) -> Path:
    def cell(text):
        lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))
        return ('<table:table-cell table:style-name="ce1" office:value-type="string" '
                f'calcext:value-type="string">{lines}</table:table-cell>')

    table = "".join('<table:table-row table:style-name="ro1">' + "".join(map(cell, row)) + "</table:table-row>"
                    for row in [list(header), *map(list, rows)])
    with zipfile.ZipFile(SAMPLES / "en-responses.ods") as sample, zipfile.ZipFile(path, "w") as out:
        for item in sample.infolist():
            data = sample.read(item)
            if item.filename == "content.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<table:table [^>]*>).*(</table:table>)", lambda m: m.group(1) + table + m.group(2),
                              text, flags=re.S)
                data = text.encode("utf-8")
            out.writestr(item, data)
    return path


def write_json(path: Path, header, rows) -> Path:
    # Moodle's JSON keys: the headers in lower-case letters and digits.
    keys = [re.sub(r"[^a-z0-9]", "", h.lower()) for h in header]
    path.write_text(json.dumps([[dict(zip(keys, row)) for row in rows]], ensure_ascii=False, indent=4),
                    encoding="utf-8")
    return path


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "ods": write_ods, "json": write_json}


def write(path: Path, header, rows) -> Path:
    """``path`` in the format its suffix names."""
    return WRITERS[path.suffix[1:]](path, header, rows)


def html2text(html: str) -> str:
    """Question HTML as the Responses report's ``Question N`` shows it (Moodle's html2text of
    the question as rendered): each Cloze box an input, written ``_____``; a line per paragraph,
    table cell or break."""
    text = re.sub(r"\{[0-9]*:(?:NUMERICAL|NM):.*?(?<!\\)\}", "_____", html, flags=re.S)
    text = re.sub(r"</p>|<br/?>|</tr>", "\n\n", text)
    text = re.sub(r"</td>", "\n\t\t", text)
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()


def right_answers(values, decimal: str = ".") -> str:
    """``Right answer N`` of a Cloze question: each box's key as Moodle stores and prints it (the
    10 places moodle.xml gives, trailing zeros dropped), in the attempt's decimal separator."""
    return "; ".join(f"part {k + 1}: " + f"{v:.10f}".rstrip("0").rstrip(".").replace(".", decimal)
                     for k, v in enumerate(values))


def responses(texts) -> str:
    """``Response N`` as Moodle summarises a Cloze attempt: every box's text, its ends trimmed."""
    return "; ".join(f"part {k + 1}: {t.strip()}" for k, t in enumerate(texts)).rstrip()
