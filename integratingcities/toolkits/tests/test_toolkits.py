from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integratingcities.assessments.models import Answer, Assessment, AssessmentKind, AssessmentState
from integratingcities.assessments.services import (
    AnswerInput,
    answers_save,
    assessment_submit,
    assessment_validate,
    scores_record,
)
from integratingcities.frameworks.models import Framework, FrameworkKind, Item, Level
from integratingcities.frameworks.services import framework_import_path
from integratingcities.lib.testing import People, SignatoryFactory, another_editor, client_for
from integratingcities.practices.models import PracticeStatus
from integratingcities.practices.tests.factories import PracticeFactory
from integratingcities.results.selftests import peer_set as peers
from integratingcities.toolkits.models import Toolkit
from integratingcities.toolkits.services import selftest_start, toolkits_load

CONTENT = Path(settings.BASE_DIR) / "content"
LINEAGE = "anti-discrimination-job-market"
FILE = CONTENT / "frameworks" / f"{LINEAGE}.v1.yaml"


@pytest.fixture
def benchmark(db: None) -> Framework:
    return framework_import_path(path=FILE, publish=True).framework


def _selftest(
    framework: Framework,
    city,  # type: ignore[no-untyped-def]
    levels: dict[str, str],
    *,
    state: str = AssessmentState.VALIDATED,
    share: bool = False,
    evidence: str = "e",
    texts: dict[str, str] | None = None,
    days_ago: int = 10,
) -> Assessment:
    when = timezone.now() - timedelta(days=days_ago)
    assessment = Assessment.objects.create(
        city=city,
        framework=framework,
        state=state,
        share_evidence=share,
        validated_at=when if state == AssessmentState.VALIDATED else None,
    )
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when)
    assessment.refresh_from_db()
    for key, level in levels.items():
        Answer.objects.create(
            assessment=assessment,
            item=Item.objects.get(section__framework=framework, key=key),
            level=Level.objects.get(scale__framework=framework, key=level),
            evidence=evidence if level in ("yes", "partly") else "",
            is_answered=True,
            version=1,
        )
    for key, text in (texts or {}).items():
        Answer.objects.create(
            assessment=assessment,
            item=Item.objects.get(section__framework=framework, key=key),
            text=text,
            is_answered=True,
            version=1,
        )
    return assessment


class TestTheShippedBenchmark:
    def test_every_key_factor_question_example_and_context_factor_is_there(
        self, benchmark: Framework
    ) -> None:
        sections = list(benchmark.sections.order_by("position"))
        key_factors = [s for s in sections if not s.is_context]
        [context] = [s for s in sections if s.is_context]
        assert len(key_factors) == 7
        questions = Item.objects.filter(section__in=key_factors, kind="rating")
        assert questions.count() == 34
        assert sum(len(s.examples) for s in key_factors) == 21
        assert context.items.count() == 10
        assert all(item.guidance for item in context.items.all())
        assert len(benchmark.aims) == 3
        assert {note["key"] for note in benchmark.notes} == {"coverage", "terms"}

    def test_the_catalogue_lists_eleven_toolkits_and_says_which_are_not_loaded(
        self, benchmark: Framework
    ) -> None:
        assert toolkits_load(yaml.safe_load((CONTENT / "toolkits.yaml").read_text())) == 11
        years = list(Toolkit.objects.order_by("position").values_list("year", flat=True))
        assert years == [2012] * 3 + [2014] * 2 + [None, 2014] + [2018] * 4
        page = client_for(None).get(reverse("toolkits:catalogue"))
        assert page.content.decode().count("content not loaded yet") == 10
        empty = client_for(None).get(reverse("toolkits:benchmark", args=["public-perception"]))
        assert "not loaded yet" in empty.content.decode()
        assert "Guide questions" not in empty.content.decode()

    def test_anyone_reads_the_benchmark_as_a_toolkit(self, benchmark: Framework) -> None:
        page = client_for(None).get(reverse("toolkits:benchmark", args=[LINEAGE])).content.decode()
        for section in benchmark.sections.all():
            assert str(section.title["en"]) in page.replace("&#x27;", "'")
        assert "Safe Report Point" in page  # Gdansk's example
        assert "Public perception" in page or "public perception" in page.lower()

    def test_the_kept_content_follows_the_framework_and_the_language(
        self, benchmark: Framework
    ) -> None:
        url = reverse("toolkits:benchmark", args=[LINEAGE])
        section = benchmark.sections.get(position=1)
        english = str(section.title["en"])
        assert english in client_for(None).get(url).content.decode().replace("&#x27;", "'")

        section.title = {"en": "Data first & always", "fr": "Les données d'abord"}
        section.save()
        page = client_for(None).get(url).content.decode()
        assert "Data first &amp; always" in page and english not in page.replace("&#x27;", "'")
        french = client_for(None).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Les données d&#x27;abord" in french
        assert "Data first &amp; always" in client_for(None).get(url).content.decode()


class TestSelfTest:
    def test_an_editor_starts_one_and_keeps_earlier_ones(
        self, people: People, benchmark: Framework
    ) -> None:
        client = client_for(people.editor)
        response = client.post(reverse("toolkits:start", args=[LINEAGE]), {"city": people.ghent.pk})
        first = Assessment.objects.self_tests().get(city=people.ghent)
        assert response["Location"] == first.get_absolute_url()
        # Starting again continues the one in progress.
        client.post(reverse("toolkits:start", args=[LINEAGE]), {"city": people.ghent.pk})
        assert Assessment.objects.self_tests().filter(city=people.ghent).count() == 1
        for item in Item.objects.filter(section__framework=benchmark, kind="rating"):
            Answer.objects.create(
                assessment=first,
                item=item,
                level=Level.objects.get(scale__framework=benchmark, key="no"),
                is_answered=True,
                version=1,
            )
        assessment_submit(assessment=first, user=people.editor)
        second = selftest_start(city=people.ghent, lineage=LINEAGE, user=people.editor)
        assert second.pk != first.pk
        assert Assessment.objects.self_tests().filter(city=people.ghent).count() == 2

    def test_an_editor_cannot_start_one_for_another_city(
        self, people: People, benchmark: Framework
    ) -> None:
        client_for(people.outsider).post(
            reverse("toolkits:start", args=[LINEAGE]), {"city": people.ghent.pk}
        )
        assert not Assessment.objects.filter(city=people.ghent).exists()


class TestResults:
    def test_only_a_benchmark_self_test_has_results(
        self, people: People, benchmark: Framework
    ) -> None:
        own = _selftest(benchmark, people.ghent, {"data-migrant-figures": "yes"})
        baseline = _selftest(benchmark, people.ghent, {"data-migrant-figures": "yes"})
        Assessment.objects.filter(pk=baseline.pk).update(kind=AssessmentKind.BASELINE)
        charter = _selftest(benchmark, people.ghent, {"data-migrant-figures": "yes"})
        Framework.objects.filter(pk=benchmark.pk).update(kind=FrameworkKind.CHARTER)
        for user in (people.secretariat, people.editor, people.outsider):
            for assessment in (baseline, charter, own):
                for url in (
                    reverse("toolkits:results", args=[assessment.pk]),
                    reverse("toolkits:chart", args=[assessment.pk, "scores"]),
                ):
                    # The framework is now a Charter's: no self-test of it has results.
                    assert client_for(user).get(url).status_code == 404, (user, url)
        Framework.objects.filter(pk=benchmark.pk).update(kind=FrameworkKind.BENCHMARK)
        results = reverse("toolkits:results", args=[own.pk])
        assert client_for(people.editor).get(results).status_code == 200
        assert client_for(people.outsider).get(results).status_code == 404
        assert (
            client_for(people.editor)
            .get(reverse("toolkits:results", args=[baseline.pk]))
            .status_code
            == 404
        )
        assert (
            client_for(people.editor).get(reverse("toolkits:results", args=[2**63])).status_code
            == 404
        )

    def test_scores_coverage_gaps_and_knowledge_gaps(
        self, people: People, benchmark: Framework
    ) -> None:
        own = _selftest(
            benchmark,
            people.ghent,
            {
                "data-migrant-figures": "yes",
                "data-collector": "partly",
                "data-regular-updates": "dont_know",
                "branding-previous-initiatives": "no",
            },
            state=AssessmentState.IN_PROGRESS,
            texts={"city-resources": "Budget cuts since 2024."},
        )
        response = client_for(people.viewer).get(reverse("toolkits:results", args=[own.pk]))
        r = response.context["r"]
        data = next(s for s in r.sections if s.section.key == "data-collection")
        assert data.result.score == 75  # yes 100, partly 50; "don't know" is not a zero
        assert (data.result.scored_items, data.result.items) == (2, 5)
        assert r.dont_know == 1
        # Weakest first: branding (0) before data collection (75); unknown-only factors last.
        keys = [g.section.key for g in r.gap_groups]
        assert keys[:2] == ["branding-language", "data-collection"]
        data_gaps = next(g for g in r.gap_groups if g.section.key == "data-collection")
        assert [row.item.key for row in data_gaps.gaps] == ["data-collector"]
        assert "data-regular-updates" in [row.item.key for row in data_gaps.unknown]
        assert [item.key for item, _ in r.context] == ["city-resources"]
        assert "Budget cuts since 2024." in response.content.decode()

    def test_peers_inspiration_and_progress(self, people: People, benchmark: Framework) -> None:
        PracticeFactory(title="Vienna's integration monitor", key_factors=["data-collection"])
        PracticeFactory(title="Not published", key_factors=["data-collection"], status="draft")
        # Three of the five questions of "data collection": enough for a score (see
        # scoring.MIN_ANSWERED_SHARE); with fewer, a city would be neither compared nor ranked.
        all_yes = {
            "data-migrant-figures": "yes",
            "data-collector": "yes",
            "data-regular-updates": "yes",
        }
        all_no = {"data-migrant-figures": "no", "data-use-required": "no", "data-resources": "no"}
        sharing = SignatoryFactory.create(country="BE", name="Antwerp")
        antwerp = _selftest(
            benchmark,
            sharing,
            all_yes,
            share=True,
            evidence="Our yearly data report.",
            texts={"city-resources": "A research unit of our own since 2010."},
        )
        private = SignatoryFactory(country="BE", name="Liège")
        _selftest(
            benchmark,
            private,
            all_yes,
            evidence="Not for sharing.",
            texts={"city-resources": "Private context."},
        )
        _selftest(benchmark, people.riga, all_no)
        before = _selftest(benchmark, people.ghent, all_no, days_ago=400)
        own = _selftest(
            benchmark,
            people.ghent,
            {
                "data-migrant-figures": "partly",
                "data-collector": "no",
                "data-regular-updates": "yes",
            },
        )
        response = client_for(people.editor).get(reverse("toolkits:results", args=[own.pk]))
        r = response.context["r"]
        data = next(s for s in r.sections if s.section.key == "data-collection")
        network, band, _foreign_born, country = data.comparisons
        assert network.spread.count == 3  # Ghent's own earlier self-test is not a peer
        assert network.spread.median == 100
        assert country.spread.count == 2 and country.position.rank == 3
        assert band.spread.count == 0  # Ghent's population is not known
        group = next(g for g in r.gap_groups if g.section.key == "data-collection")
        assert [e["peer"].city_name for e in group.peer_evidence] == ["Antwerp"]
        assert "Our yearly data report." in response.content.decode()
        assert "Not for sharing." not in response.content.decode()
        # The sharing city's cited context goes with its evidence; the private one's does not.
        assert [item.key for item, _ in group.peer_evidence[0]["context"]] == ["city-resources"]
        assert "A research unit of our own since 2010." in response.content.decode()
        assert "Private context." not in response.content.decode()
        assert group.examples  # the benchmark's own examples
        assert [p.title for p in group.practices] == ["Vienna's integration monitor"]
        assert r.previous == before
        assert data.before == 0 and data.change == 50
        item = next(i for i in data.items if i.item.key == "data-migrant-figures")
        assert (item.before, item.score, item.change) == (0, 50, 50)
        collector = next(i for i in data.items if i.item.key == "data-collector")
        assert collector.change is None  # not answered before: no change, never "from zero"
        chart = client_for(people.editor).get(reverse("toolkits:chart", args=[own.pk, "progress"]))
        assert chart["Content-Type"] == "image/svg+xml"

        # The inspiring cities are kept between visits; one that stops sharing is gone from
        # the next, and back once it shares again.
        antwerp_editor = client_for(another_editor(sharing))
        for share, shown in ((False, []), (True, ["Antwerp"])):
            antwerp_editor.post(
                reverse("toolkits:sharing", args=[antwerp.pk]), {"share": "on"} if share else {}
            )
            response = client_for(people.editor).get(reverse("toolkits:results", args=[own.pk]))
            group = next(
                g for g in response.context["r"].gap_groups if g.section.key == "data-collection"
            )
            assert [e["peer"].city_name for e in group.peer_evidence] == shown
            assert ("Our yearly data report." in response.content.decode()) == share
        # A city renamed shows under its new name on the next visit.
        sharing.name = "Antwerpen"
        sharing.save()
        response = client_for(people.editor).get(reverse("toolkits:results", args=[own.pk]))
        group = next(
            g for g in response.context["r"].gap_groups if g.section.key == "data-collection"
        )
        assert [e["peer"].city_name for e in group.peer_evidence] == ["Antwerpen"]

    def test_the_suggested_practices_follow_the_library(
        self, people: People, benchmark: Framework
    ) -> None:
        """The links are kept between visits, and a practice published, renamed or withdrawn,
        or its city renamed, shows on the next one."""
        first = PracticeFactory.create(
            title="Vienna's integration monitor", key_factors=["data-collection"]
        )
        all_no = {"data-migrant-figures": "no", "data-use-required": "no", "data-resources": "no"}
        own = _selftest(benchmark, people.ghent, all_no)
        client = client_for(people.editor)
        url = reverse("toolkits:results", args=[own.pk])

        def listed() -> list[str]:
            group = next(
                g
                for g in client.get(url).context["r"].gap_groups
                if g.section.key == "data-collection"
            )
            return [f"{p.title} ({p.city_name})" for p in group.practices]

        city = first.city.name
        assert listed() == [f"Vienna's integration monitor ({city})"]
        with CaptureQueriesContext(connection) as visit:
            assert listed() == [f"Vienna's integration monitor ({city})"]
        assert not [q for q in visit.captured_queries if "practices_practicetheme" in q["sql"]]
        PracticeFactory(title="Zagreb's data office", key_factors=["data-collection"], year=2030)
        assert [row.split(" (")[0] for row in listed()] == [
            "Zagreb's data office",
            "Vienna's integration monitor",
        ]
        first.title = "Vienna's monitor"
        first.save()
        first.city.name = "Wien"
        first.city.save()
        assert "Vienna's monitor (Wien)" in listed()
        first.status = PracticeStatus.DRAFT
        first.save()
        assert [row.split(" (")[0] for row in listed()] == ["Zagreb's data office"]

    def test_the_query_count_does_not_grow_with_peers(
        self, people: People, benchmark: Framework
    ) -> None:
        own = _selftest(benchmark, people.ghent, {"data-migrant-figures": "partly"})
        url = reverse("toolkits:results", args=[own.pk])
        client = client_for(people.editor)
        _selftest(benchmark, people.riga, {"data-migrant-figures": "yes"}, share=True)

        def count() -> int:
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            return len(queries)

        few = count()
        for city in SignatoryFactory.create_batch(8):
            _selftest(benchmark, city, {"data-migrant-figures": "yes"}, share=True)
        assert count() == few

    def test_scores_recorded_at_validation_give_the_same_peers_as_the_answers(
        self, people: People, benchmark: Framework
    ) -> None:
        levels = {
            "data-migrant-figures": "yes",
            "data-collector": "partly",
            "data-regular-updates": "dont_know",
            "branding-previous-initiatives": "no",
        }
        riga = _selftest(benchmark, people.riga, levels, state=AssessmentState.SUBMITTED)
        assessment_validate(
            assessment=riga, user=people.secretariat, reason="Partial answers, for the test."
        )
        riga.refresh_from_db()
        assert riga.scores == {  # per key factor: score, scored questions, their weight
            "version": 2,
            "sections": {"data-collection": [75.0, 2, 2.0], "branding-language": [0.0, 1, 1.0]},
            "top_items": ["data-migrant-figures"],
        }
        recorded = peers(benchmark).by_assessment[riga.pk]
        Assessment.objects.filter(pk=riga.pk).update(scores=None)  # as before scores were kept
        cache.clear()
        tallied = peers(benchmark).by_assessment[riga.pk]
        assert recorded == tallied
        assert recorded.scores == {"data-collection": 75.0, "branding-language": 0.0}
        assert recorded.overall == 37.5
        out = StringIO()
        call_command("record_scores", stdout=out)
        assert "Recorded the scores of 1 assessments." in out.getvalue()
        riga.refresh_from_db()
        assert riga.scores["top_items"] == ["data-migrant-figures"]

    def test_the_scores_chart_is_drawn_again_when_the_self_test_changes(
        self, people: People, benchmark: Framework
    ) -> None:
        own = _selftest(
            benchmark, people.ghent, {"data-migrant-figures": "no"}, state="in_progress"
        )
        client = client_for(people.editor)
        url = reverse("toolkits:chart", args=[own.pk, "scores"])
        before = client.get(url).content
        assert client.get(url).content == before  # from the cache
        answers_save(
            assessment=own,
            user=people.editor,
            inputs={
                Item.objects.get(section__framework=benchmark, key="data-migrant-figures"): (
                    AnswerInput(level=Level.objects.get(scale__framework=benchmark, key="yes"))
                )
            },
            base_versions={Item.objects.get(key="data-migrant-figures").pk: 1},
        )
        assert client.get(url).content != before

    def test_sharing_is_the_editors_choice(self, people: People, benchmark: Framework) -> None:
        own = _selftest(benchmark, people.ghent, {})
        url = reverse("toolkits:sharing", args=[own.pk])
        assert client_for(people.viewer).post(url, {"share": "on"}).status_code == 403
        client_for(people.editor).post(url, {"share": "on"})
        own.refresh_from_db()
        assert own.share_evidence


class TestAuthoring:
    def _upload(self, client, name: str, text: str):  # type: ignore[no-untyped-def]
        return client.post(
            reverse("toolkits:upload"), {"file": SimpleUploadedFile(name, text.encode())}
        )

    def test_a_bad_file_is_refused_with_where_and_why_and_nothing_written(
        self, people: People, benchmark: Framework
    ) -> None:
        client = client_for(people.secretariat)
        text = FILE.read_text().replace("version: 1\n", "version: 2\n", 1)
        broken = text.replace("kind: rating", "kind: ratings", 1)
        response = self._upload(client, "v2.yaml", broken)
        assert response.status_code == 200
        assert "$.sections[0].items[0].kind" in response.content.decode()
        assert not Framework.objects.filter(lineage=LINEAGE, version=2).exists()
        charter = self._upload(
            client, "charter.yaml", (CONTENT / "frameworks/charter.v1.yaml").read_text()
        )
        assert "only benchmark files" in charter.content.decode()
        assert not Framework.objects.filter(lineage="charter").exists()
        assert "Upload a .yaml" in self._upload(client, "x.txt", "a").content.decode()

    def test_upload_preview_publish_and_progress_across_versions(
        self, people: People, benchmark: Framework
    ) -> None:
        earlier = _selftest(benchmark, people.ghent, {"data-migrant-figures": "no"}, days_ago=300)
        riga = _selftest(benchmark, people.riga, {"data-migrant-figures": "yes"})
        scores_record(assessments=[riga])  # recorded on version 1's items
        text = (
            FILE.read_text()
            .replace("version: 1\n", "version: 2\nprevious_version: 1\n", 1)
            .replace(
                "key: data-migrant-figures",
                "key: data-figures\n        follows: data-migrant-figures",
                1,
            )
        )
        client = client_for(people.secretariat)
        response = self._upload(client, "v2.yaml", text)
        preview = reverse("toolkits:version", args=[LINEAGE, 2])
        assert response["Location"] == preview
        assert client_for(people.editor).get(preview).status_code == 404
        assert "Draft preview" in client.get(preview).content.decode()
        client.post(reverse("toolkits:publish", args=[LINEAGE, 2]))
        v2 = Framework.objects.get(lineage=LINEAGE, version=2)
        assert v2.is_published
        assert client_for(people.editor).get(preview).status_code == 200
        later = selftest_start(city=people.ghent, lineage=LINEAGE, user=people.editor)
        assert later.framework == v2
        Answer.objects.create(
            assessment=later,
            item=Item.objects.get(section__framework=v2, key="data-figures"),
            level=Level.objects.get(scale__framework=v2, key="yes"),
            evidence="e",
            is_answered=True,
            version=1,
        )
        r = client_for(people.editor).get(reverse("toolkits:results", args=[later.pk])).context["r"]
        assert r.previous == earlier
        data = next(s for s in r.sections if s.section.key == "data-collection")
        figures = next(i for i in data.items if i.item.key == "data-figures")
        assert (figures.before, figures.score, figures.change) == (0, 100, 100)
        # A peer that took version 1 is scored on version 2's items, the renamed one included.
        peer = peers(v2).by_assessment[riga.pk]
        assert (peer.scores, peer.top_items) == ({"data-collection": 100.0}, {"data-figures"})
        assert figures.peers_meeting == 1
