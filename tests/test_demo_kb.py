"""The bundled demo knowledge base: what a county office would expect to find in it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from config.taxonomy import Taxonomy
from knowledge.enums import Kind, Publication, Status
from knowledge.exporting import export_file
from knowledge.importing.importer import ImportOptions
from knowledge.record import RecordContent
from knowledge.store.wiring import KnowledgeBase, open_knowledge
from tests.conftest import LIFE_EVENTS


@pytest.fixture(scope="module")
def demo(demo_database: str) -> list[RecordContent]:
    kb = open_knowledge(demo_database, LIFE_EVENTS)
    try:
        return list(kb.store.iter_contents())
    finally:
        kb.close()


def test_size_and_kinds(demo: list[RecordContent]) -> None:
    kinds = Counter(r.kind for r in demo)

    assert len(demo) >= 150
    assert all(r.publication is Publication.PUBLISHED for r in demo)
    assert kinds[Kind.INTERPRETATION] >= 30
    assert kinds[Kind.FAQ] >= 60
    assert kinds[Kind.GUIDE] >= 10


def test_every_life_event_is_covered(demo: list[RecordContent], taxonomy: Taxonomy) -> None:
    counts = Counter(code for r in demo for code in r.life_events)

    thin = {e.name: counts[e.code] for e in taxonomy if counts[e.code] < 3}
    assert thin == {}


def test_interpretations_point_at_policies(demo: list[RecordContent]) -> None:
    by_id = {r.id: r for r in demo}
    interpretations = [r for r in demo if r.kind is Kind.INTERPRETATION]

    assert all(by_id[r.interprets].kind is Kind.POLICY for r in interpretations)
    assert all(r.interpretation_form is not None for r in interpretations)


def test_faqs_have_alternative_phrasings(demo: list[RecordContent]) -> None:
    faqs = [r for r in demo if r.kind is Kind.FAQ]

    assert [r.id for r in faqs if len(r.alt_questions) < 2] == []


def test_guides_say_how_to_apply(demo: list[RecordContent]) -> None:
    guides = [r for r in demo if r.kind is Kind.GUIDE]

    for guide in guides:
        assert guide.materials and guide.steps and guide.conditions, guide.id


def test_repealed_policies_have_current_replacements(demo: list[RecordContent]) -> None:
    by_id = {r.id: r for r in demo}
    replaced = [r for r in demo if r.status in (Status.REPEALED, Status.EXPIRED, Status.AMENDED)]

    assert len(replaced) >= 3
    for record in replaced:
        assert record.replaced_by, record.id
        assert by_id[record.replaced_by].status is Status.IN_FORCE


def test_county_layer_is_clearly_marked(demo: list[RecordContent]) -> None:
    county = [r for r in demo if r.region == "示范区"]

    assert len(county) >= 10
    assert [r.id for r in county if "示范" not in (r.summary + r.title + r.body)] == []


def test_both_audiences_and_real_document_numbers(demo: list[RecordContent]) -> None:
    audiences = Counter(r.audience.value for r in demo)
    national = [r for r in demo if r.region != "示范区" and r.kind is Kind.POLICY]

    assert audiences["individual"] >= 60 and audiences["enterprise"] >= 40
    assert sum(1 for r in national if r.doc_number) >= 20


@pytest.mark.parametrize("suffix", [".xlsx", ".jsonl"])
def test_export_then_import_gives_the_same_content(
    demo_database: str, demo: list[RecordContent], tmp_path: Path, suffix: str
) -> None:
    source = open_knowledge(demo_database, LIFE_EVENTS)
    exported = tmp_path / f"demo{suffix}"
    try:
        assert export_file(source.store.iter_contents(), exported, source.taxonomy) == len(demo)
        again = source.importer.run([exported], ImportOptions(dry_run=True))
    finally:
        source.close()
    assert again.totals["unchanged"] == len(demo) and again.ok

    fresh: KnowledgeBase = open_knowledge(f"sqlite:///{tmp_path / 'fresh.db'}", LIFE_EVENTS)
    try:
        report = fresh.importer.run([exported], ImportOptions())
        assert report.totals["created"] == len(demo) and report.ok
        assert list(fresh.store.iter_contents()) == demo
    finally:
        fresh.close()
