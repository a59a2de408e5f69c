"""Find & replace, undo and live figures over a 5,000-segment episode (SQLite, throwaway
database): preview time against the floor of reading the episode's texts once; one apply
(every changed row through ``review.save_segment``, one action) with its SQL queries per row;
one undo of it; a whole-word Japanese search; the live figures of one keystroke pause.

``python -m bench.run replace`` prints the figures.
"""

from __future__ import annotations

import time

from bench.common import Figure, median_time

SECTION = "Find & replace, undo, live figures"
SIZE = 5000


def run() -> list[Figure]:
    from bench.bench_review import _setup_django, synthetic_episode

    _setup_django()
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from translator.core.find import FindQuery
    from translator.models import Segment
    from translator.selectors import review as review_selectors
    from translator.services import actions, replace

    ep = synthetic_episode(SIZE)
    user, _ = User.objects.get_or_create(username="bench-replace")
    user.groups.add(Group.objects.get(name="reviewer"))
    figures: list[Figure] = []

    def floor() -> None:
        list(Segment.objects.filter(episode=ep).values_list("id", "source_text", "text"))

    floor_s = median_time(floor, repeat=5)
    # "for 3 years" is in one segment of nine (~555 rows).
    query = FindQuery("for 3 years", whole_word=True)
    preview_s = median_time(
        lambda: replace.preview(
            episode_id=ep.pk, query=query, replacement="for three years", scope="en"
        ),
        repeat=5,
    )
    out = replace.preview(episode_id=ep.pk, query=query, replacement="for three years")
    figures.append(
        Figure(
            SECTION,
            f"preview over {SIZE:,} segments ({len(out.changes)} changes listed)",
            preview_s,
            baseline_name="reading the episode's texts (one query)",
            baseline_value=floor_s,
            note="one query; matching and marking in Python",
        )
    )
    ja_query = FindQuery("サポート", whole_word=True)
    ja_s = median_time(
        lambda: replace.preview(episode_id=ep.pk, query=ja_query, scope="ja"), repeat=3
    )
    figures.append(
        Figure(
            SECTION,
            f"whole-word Japanese search over {SIZE:,} segments (morpheme boundaries)",
            ja_s,
            baseline_name="reading the episode's texts (one query)",
            baseline_value=floor_s,
            note="listing capped at 2,000 matches",
        )
    )

    apply_times, undo_times, queries = [], [], []
    for _ in range(3):
        out = replace.preview(episode_id=ep.pk, query=query, replacement="for three years")
        selected = {h.segment_id: h.version for h in out.changes}
        count = [0]

        def counting(execute, sql, params, many, context, count=count):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            t0 = time.perf_counter()
            result = replace.apply(
                episode_id=ep.pk,
                query=query,
                replacement="for three years",
                selected=selected,
                user=user,
            )
            apply_times.append(time.perf_counter() - t0)
        queries.append(count[0])
        t0 = time.perf_counter()
        actions.undo(action_id=result.action_id, user=user)
        undo_times.append(time.perf_counter() - t0)
    rows = len(selected)
    apply_s = sorted(apply_times)[1]
    figures.append(
        Figure(
            SECTION,
            f"apply: {rows} rows replaced in one request (one action)",
            apply_s,
            note=f"{apply_s / rows * 1e3:.2f} ms per row",
        )
    )
    figures.append(
        Figure(
            SECTION,
            f"apply: SQL queries for {rows} rows",
            float(sorted(queries)[1]),
            unit="queries",
            note=f"{sorted(queries)[1] / rows:.1f} per row (savepoints included), none per "
            "unchanged row",
        )
    )
    figures.append(Figure(SECTION, f"undo of that replace ({rows} rows)", sorted(undo_times)[1]))

    # The Japanese (branch jareplace): each changed row through structure.edit_source (cues
    # cut again, the "Japanese changed" flag), in the same one action; one undo of it.
    ja_change = FindQuery("に入って3年")  # one segment in nine
    ja_times, ja_undo, ja_queries = [], [], []
    for _ in range(2):
        out = replace.preview(
            episode_id=ep.pk, query=ja_change, replacement="に入って三年", scope="ja"
        )
        ja_selected = {h.segment_id: h.version for h in out.changes}
        count = [0]

        def counting_ja(execute, sql, params, many, context, count=count):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting_ja):
            t0 = time.perf_counter()
            result = replace.apply(
                episode_id=ep.pk,
                query=ja_change,
                replacement="に入って三年",
                selected=ja_selected,
                fields={pk: ("ja",) for pk in ja_selected},
                user=user,
            )
            ja_times.append(time.perf_counter() - t0)
        ja_queries.append(count[0])
        t0 = time.perf_counter()
        actions.undo(action_id=result.action_id, user=user)
        ja_undo.append(time.perf_counter() - t0)
    ja_rows = len(ja_selected)
    ja_s = min(ja_times)
    figures.append(
        Figure(
            SECTION,
            f"apply in the Japanese: {ja_rows} rows (source edits, cues re-cut; one action)",
            ja_s,
            note=f"{ja_s / ja_rows * 1e3:.2f} ms per row; {min(ja_queries) / ja_rows:.1f} "
            "SQL queries per row",
        )
    )
    figures.append(
        Figure(
            SECTION,
            f"undo of that Japanese replace ({ja_rows} rows, Japanese and cues back)",
            min(ja_undo),
        )
    )

    seg = Segment.objects.filter(episode=ep).order_by("order")[10]
    text = seg.text + " And a little more that the editor is typing now."
    live_s = median_time(lambda: review_selectors.live_feedback(seg.pk, text), repeat=20)
    figures.append(
        Figure(
            SECTION,
            "live figures for one pause in typing (reads only)",
            live_s,
            goal="< 300 ms (the typing pause)",
        )
    )
    return figures


if __name__ == "__main__":
    for fig in run():
        print(fig)
