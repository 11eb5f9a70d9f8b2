"""--templates: a template pack from anyone cannot run code or read outside its folders."""

import base64
import os

import pytest

HEADER = "<td>{{ title }}</td>\n"


@pytest.fixture
def pack(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("root:x:0:0:SECRET")
    return folder


ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ t.__class__.__init__ }}",
    "{% set f = title.__class__ %}{{ f.mro() }}",
    "{{ '{0.__class__.__base__}'.format(1) }}",
    "{{ range.__globals__ }}",
]


@pytest.mark.parametrize("escape", ESCAPES)
def test_templates_cannot_reach_python(gen, tmp_path, pack, escape):
    (pack / "header.html").write_text(HEADER + f"<td>{escape}</td>\n")
    code, _, err = gen("--count", "1", "--seed", "1", "--templates", pack, "--format", "html",
                    "--out", tmp_path / "out", "--jobs", "1")
    assert code == 1
    assert err.startswith(f"gen-worksheets: error: {pack / 'header.html'}, line 2: refused by the template sandbox: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["include", "template", "catalog", "folder"])
def test_links_out_of_the_template_folders_are_refused(gen, tmp_path, pack, where):
    secret = tmp_path / "secret.txt"
    if where == "include":  # a file inside, included, that leads outside
        (pack / "header.html").write_text(HEADER + '{% include "notes.html" %}')
        (pack / "notes.html").symlink_to(secret)
        link = pack / "notes.html"
    elif where == "template":  # a template itself
        (pack / "header.html").symlink_to(secret)
        link = pack / "header.html"
    elif where == "catalog":
        (pack / "lang").mkdir()
        (pack / "lang" / "en.json").symlink_to(secret)
        link = pack / "lang" / "en.json"
    else:  # a whole folder
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "en.json").write_text('{"title": "SECRET"}')
        (pack / "lang").symlink_to(tmp_path / "elsewhere")
        link = pack / "lang" / "en.json"
    code, _, err = gen("--count", "1", "--seed", "1", "--templates", pack, "--format", "html,pdf",
                    "--out", tmp_path / "out", "--jobs", "1")
    assert code == 1, err
    assert err == (f"gen-worksheets: error: {link} leads to {link.resolve()}, outside the template folders; "
                   "refused\n")
    assert not (tmp_path / "out").exists()


def test_a_link_inside_the_template_folders_is_followed(gen, tmp_path, pack):
    (pack / "school.html").write_text("<td>Lyceum 7</td>")
    (pack / "header.html").symlink_to(pack / "school.html")
    code, _, err = gen("--count", "1", "--seed", "1", "--templates", pack, "--format", "html",
                    "--out", tmp_path / "out", "--jobs", "1")
    assert code == 0, err
    assert "Lyceum 7" in (tmp_path / "out" / "worksheets" / "variant-01.html").read_text()


@pytest.mark.parametrize("name, data, line", [
    ("header.html", b"<td>{{ title }}</td>\n<td>caf\xe9</td>\n", 2),
    ("lang/en.json", b'{\n  "title": "ok",\n  "x": "\xff"\n}', 3),
    ("style.css", b"body {}\n\n\n\xc3(\n", 4),
])
def test_a_broken_file_in_the_pack_is_named_with_its_line(gen, tmp_path, pack, name, data, line):
    (pack / name).parent.mkdir(exist_ok=True)
    (pack / name).write_bytes(data)
    code, _, err = gen("--count", "1", "--seed", "1", "--templates", pack, "--format", "pdf",
                    "--out", tmp_path / "out", "--jobs", "1")
    assert code == 1
    assert err == f"gen-worksheets: error: {pack / name}, line {line}: not UTF-8 text\n"


PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                       "AAAABJRU5ErkJggg==")


def test_html_is_self_contained_and_drops_what_pdfs_refuse(gen, tmp_path, pack):
    (pack / "logo.png").write_bytes(PNG)
    (pack / "css").mkdir()
    (pack / "css" / "extra.css").write_text('h1 { background: url("../logo.png"); }')
    (pack / "escape.png").symlink_to(tmp_path / "secret.txt")
    (pack / "header.html").write_text(
        HEADER + '<td><img src="logo.png"><img src=\'http://example.com/track.png\'>'
        '<img src="file:///etc/hostname"><img src="escape.png"><img src="../secret.txt">'
        '<span style="background: url(logo.png)"></span><a href="https://example.com/course">course</a>'
        '<link rel="stylesheet" href="css/extra.css"></td>')
    code, _, err = gen("--count", "2", "--seed", "1", "--templates", pack, "--format", "html,pdf",
                    "--out", tmp_path / "out", "--jobs", "1")
    assert code == 0, err
    page = (tmp_path / "out" / "worksheets" / "variant-01.html").read_text()
    png = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert f'<img src="{png}">' in page and f"url({png})" in page
    css = f"h1 {{ background: url({png}); }}"  # the stylesheet's own url() is embedded too
    assert f'href="data:text/css;base64,{base64.b64encode(css.encode()).decode()}"' in page
    for url in ("example.com/track.png", "file:///etc/hostname", "escape.png", "secret.txt"):
        assert url not in page
    assert '<a href="https://example.com/course">' in page  # a link is not a resource
    warnings = [line for line in err.splitlines() if "warning" in line and "without alt" not in line]
    assert [line for line in err.splitlines() if "without alt" in line] == [
        f"gen-worksheets: warning: {pack / 'header.html'}, line {HEADER.count(chr(10)) + 1}: <img> without alt: "
        'screen readers get no description of it (give it alt="...")']
    refused = ["http://example.com/track.png", "file:///etc/hostname", (pack / "escape.png").as_uri(),
               (tmp_path / "secret.txt").as_uri()]
    assert sorted(warnings) == sorted(f"gen-worksheets: warning: refused to fetch {url}: documents may only use "
                                      "files inside the template folders" for url in refused)
    assert "SECRET" not in page


def test_quiet_prints_no_refusal(gen, tmp_path, pack):
    (pack / "header.html").write_text(HEADER + '<td><img src="http://example.com/x.png"></td>')
    code, _, err = gen("--count", "1", "--seed", "1", "--templates", pack, "--format", "pdf,html",
                    "--out", tmp_path / "out", "--quiet")
    assert code == 0 and err == ""
    code, _, err = gen("--count", "1", "--seed", "1", "--templates", pack, "--format", "pdf",
                    "--out", tmp_path / "out2")
    assert "refused to fetch http://example.com/x.png" in err


def test_builtin_templates_render_in_the_sandbox(gen, tmp_path):
    code, _, err = gen("--count", "1", "--seed", "1", "--format", "html", "--out", tmp_path / "out",
                    "--layers", "2,2,2,2,1", "--worked-examples")
    assert code == 0, err
    assert os.listdir(tmp_path / "out" / "keys") == ["variant-01-key.html"]
