"""The worksheets and keys of each member of the exercise family, read back from the PDFs: the
given data state the member's functions, every answer is in the key and none on the worksheet."""

import json
import unicodedata

import pytest

from generator import numbertext

import pdftext
from commands import run_ok

MEMBERS = {
    "relu-bias": ("--activation", "relu", "--bias"),
    "sigmoid-half": ("--activation", "sigmoid", "--bias", "--loss", "half-squared"),
    "tanh-cross-entropy": ("--output", "sigmoid", "--loss", "cross-entropy"),
    "relu-cross-entropy": ("--activation", "relu", "--output", "sigmoid", "--loss", "cross-entropy", "--bias"),
}
# What the given data must say (compared as ``readable`` text).
STATED = {
    "relu-bias": {"en": ["ReLU(s) = max(0, s)", "ReLU′(s) = 1 if s > 0, otherwise 0",
                         "Row 0 of each matrix holds the biases"],
                  "ru": ["ReLU(s) = max(0, s)", "ReLU′(s) = 1 при s > 0, иначе 0", "Строка 0 каждой матрицы"]},
    "sigmoid-half": {"en": ["σ(s) = 1/(1 + exp(−s))", "σ′(s) = σ(s)(1 − σ(s))", "L = ½(ŷ − y)²", "∂L/∂ŷ = ŷ − y"],
                     "ru": ["σ′(s) = σ(s)(1 − σ(s))", "половина квадрата ошибки", "∂L/∂ŷ = ŷ − y"]},
    "tanh-cross-entropy": {"en": ["ŷ = σ(s)", "tanh′(s) = 1 − tanh²(s); σ′(s) = σ(s)(1 − σ(s))",
                                  "binary cross-entropy"],
                           "ru": ["ŷ = σ(s)", "бинарная кросс-энтропия", "Производные функций активации"]},
    "relu-cross-entropy": {"en": ["ReLU′(s) = 1 if s > 0, otherwise 0; σ′(s) = σ(s)(1 − σ(s))"],
                           "ru": ["ReLU′(s) = 1 при s > 0, иначе 0; σ′(s) = σ(s)(1 − σ(s))"]},
}


@pytest.fixture(scope="module", params=[(m, lang) for m in MEMBERS for lang in ("en", "ru")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def batch(request, tmp_path_factory):
    member, lang = request.param
    out = tmp_path_factory.mktemp("family") / "out"
    run_ok("--count", "2", "--seed", "77", "--lang", lang, *MEMBERS[member], "--format", "pdf,json",
           "--jobs", "1", "--out", out, "--quiet")
    return member, lang, out, json.loads((out / "answers.json").read_text())


def readable(text: str) -> str:
    """Text as a reader compares it: mathematical italics as plain letters, ŷ composed, and no
    spaces (a PDF's lines break where the layout did)."""
    return "".join(unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text)).split())


def test_every_answer_is_in_the_key_and_none_on_the_worksheet(batch):
    _, lang, out, key = batch
    every = {numbertext.answer(v, 4, lang) for variant in key["variants"] for v in variant["answers"].values()}
    for variant in key["variants"]:
        printed = pdftext.numbers(out / "keys" / f"variant-0{variant['variant']}-key.pdf")
        for name, value in variant["answers"].items():
            assert numbertext.answer(value, 4, lang) in printed, name
        # A ReLU neuron that is off is 0 in the key; a worksheet prints no 0.0000 either.
        shown = pdftext.numbers(out / "worksheets" / f"variant-0{variant['variant']}.pdf")
        assert not shown & every


def test_the_given_data_state_the_member_s_functions(batch):
    member, lang, out, _ = batch
    for document in ("worksheets/variant-01.pdf", "keys/variant-01-key.pdf"):
        text = readable(pdftext.text(out / document))
        for statement in STATED[member][lang]:
            assert readable(statement) in text, (document, statement)


def test_the_key_works_each_step_out_with_the_member_s_derivative(batch):
    member, lang, out, key = batch
    text = readable(pdftext.text(out / "keys" / "variant-01-key.pdf"))
    if member.startswith("relu"):
        assert readable("[z1 > 0]") in text  # the branch, from the neuron's value
    if member == "sigmoid-half":
        assert readable("z1 · (1 − z1)") in text and readable("∂L/∂ŷ = ŷ − y =") in text
    if "cross-entropy" in member:
        assert readable("ŷ · (1 − ŷ)") in text  # through the sigmoid output
    if "--bias" in MEMBERS[member]:
        assert "V01" in text and "W01" in text

