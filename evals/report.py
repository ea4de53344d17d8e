"""Human-readable reports of an evaluation run: Markdown and a self-contained HTML page."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

HEADLINE = (
    "hit@1", "hit@5", "mrr", "ndcg@5", "cited_expected", "citation_precision", "key_facts", "key_facts_answered",
    "rouge_l", "cosine",
    "refusal_correct", "refusal_precision", "refusal_recall", "gap_handled", "wrong_refusal_rate",
    "flagged_partial", "premise_handled", "context_recall", "back_matter_first", "other_structure_first",
    "fragments", "list_given", "premise_unfounded", "followup_glued", "latency_p50_ms", "latency_p95_ms",
)  # fmt: skip
LABELS_FR = {
    "hit@1": "source attendue en 1re position",
    "hit@5": "source attendue dans les 5 premiers passages",
    "mrr": "rang réciproque moyen",
    "ndcg@5": "nDCG@5",
    "cited_expected": "réponse citant une source attendue",
    "citation_precision": "précision des citations",
    "key_facts": "couverture des faits clés",
    "key_facts_answered": "couverture des faits clés au-dessus des « autres passages proches » (la réponse elle-même)",
    "rouge_l": "ROUGE-L vs réponse de référence",
    "cosine": "similarité e5 vs réponse de référence",
    "refusal_correct": "bonne décision répondre/refuser",
    "refusal_precision": "précision des refus",
    "refusal_recall": "rappel des refus (hors sujet refusés)",
    "gap_handled": "questions hors corpus ou partiellement couvertes : refusées ou signalées partielles",
    "wrong_refusal_rate": "questions couvertes refusées à tort (moins = mieux)",
    "flagged_partial": "questions couvertes signalées partielles à tort (moins = mieux)",
    "premise_handled": "fausses prémisses corrigées",
    "context_recall": "rappel des contextes de référence",
    "back_matter_first": "réponses qui citent d'abord une annexe (ressources, références, participants, liens) "
    "sans que la question en demande (moins = mieux)",
    "other_structure_first": "réponses à une question qui nomme une structure (MSP, centre de santé, CPTS) qui "
    "citent d'abord un passage ne parlant que d'une autre structure (moins = mieux)",
    "fragments": "phrases citées qui ne sont pas entières (sans ponctuation finale ou commençant par une "
    "minuscule), hors éléments de liste (moins = mieux)",
    "list_given": "questions demandant une énumération (missions, niveaux, étapes…) dont la réponse donne une liste",
    "premise_unfounded": "questions sans fausse prémisse qui reçoivent pourtant l'avertissement « les documents ne "
    "confirment pas ce que suppose la question » (moins = mieux ; une nuance n'en est pas un)",
    "followup_glued": "questions de suivi dont la question reformulée colle deux questions (moins = mieux)",
    "latency_p50_ms": "latence p50 (ms)",
    "latency_p95_ms": "latence p95 (ms)",
    "llm_faithfulness": "fidélité (juge LLM)",
    "llm_correctness": "exactitude (juge LLM)",
    "unsupported_sentences": "phrases non étayées par leur passage cité, par réponse LLM (moins = mieux)",
}
EXTRA = ("unsupported_sentences", "llm_faithfulness", "llm_correctness")  # shown when the run has them


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def _badness(row: dict[str, Any]) -> float:
    s = row["scores"]
    if not s.get("refusal_correct", True):
        return 3.0
    return (1 - s.get("hit@5", 1.0)) + (1 - s.get("key_facts", 1.0)) + (1 - s.get("citation_precision", 1.0))


def worst_items(rows: list[dict[str, Any]], n: int = 25) -> list[dict[str, Any]]:
    ranked = sorted(rows, key=lambda r: (-_badness(r), r["id"]))
    return [r for r in ranked if _badness(r) > 0][:n]


def _metric_keys(metrics: dict[str, Any]) -> list[str]:
    overall = metrics["overall"]
    extra = [k for k in EXTRA if k in overall]
    return [k for k in (*HEADLINE, *extra) if k in overall]


def markdown_report(rows: list[dict[str, Any]], metrics: dict[str, Any]) -> str:
    keys = _metric_keys(metrics)
    lines = [f"# Évaluation — {metrics.get('set', '')}", ""]
    lines.append(f"{metrics['overall']['items']} questions ; réglages : `{metrics.get('settings', {})}`")
    if metrics.get("malformed_rows"):
        lines.append(f"\n**{len(metrics['malformed_rows'])} ligne(s) mal formée(s) ignorée(s)** :")
        lines += [f"- ligne {e['line']} : {e['error']}" for e in metrics["malformed_rows"]]
    if any(k.startswith("llm_") for k in keys):
        lines.append("\n_Les scores « juge LLM » sont produits par un LLM : indicatifs, non déterministes._")
    for title, group in (
        ("Ensemble", None),
        ("Par jeu", "by_split"),
        ("Par profil", "by_persona"),
        ("Par étiquette", "by_tag"),
    ):
        lines += ["", f"## {title}", ""]
        groups = {"tout": metrics["overall"]} if group is None else metrics[group]
        lines.append("| groupe | n | " + " | ".join(keys) + " |")
        lines.append("|---|---|" + "---|" * len(keys))
        for name, values in groups.items():
            lines.append(f"| {name} | {values['items']} | " + " | ".join(_fmt(values.get(k)) for k in keys) + " |")
    lines += ["", "## Légende", ""] + [f"- `{k}` : {LABELS_FR.get(k, k)}" for k in keys]
    lines += ["", "## Les moins bonnes réponses", ""]
    for row in worst_items(rows):
        s = row["scores"]
        expected = ", ".join(_source_text(src) for src in row["expected_sources"]) or "(refus attendu)"
        cited = ", ".join(c["label"] for c in row["answer"]["citations"][:4]) or "(aucune)"
        lines += [
            f"### {row['id']} ({row['persona']}, {', '.join(row['tags'])})",
            f"- question : {row['question']}",
            f"- attendu : {expected} ; faits clés : {row['key_facts']}",
            f"- obtenu : {'REFUS' if s['refused'] else 'réponse'} ; citations : {cited}",
            f"- scores : hit@5={_fmt(s.get('hit@5'))}, faits clés={_fmt(s.get('key_facts'))}, "
            f"précision citations={_fmt(s.get('citation_precision'))}",
            "",
            "```",
            row.get("text", "")[:1200],
            "```",
            "",
        ]
    return "\n".join(lines)


def _source_text(src: dict[str, Any]) -> str:
    parts = [src.get("doc") or src.get("chunk", "")]
    if src.get("fiche"):
        parts.append(f"fiche {src['fiche']}")
    if src.get("section"):
        parts.append(f"§ {src['section']}")
    return " ".join(str(p) for p in parts)


def _bar(value: Any, key: str = "") -> str:
    if not isinstance(value, int | float) or value > 1.0 or key == "unsupported_sentences":  # a count
        return html.escape(_fmt(value))
    pct = max(0.0, min(1.0, float(value))) * 100
    color = "#2e7d32" if value >= 0.8 else ("#f9a825" if value >= 0.5 else "#c62828")
    return (
        f'<div class="bar"><span style="width:{pct:.0f}%;background:{color}"></span>'
        f"<em>{html.escape(_fmt(value))}</em></div>"
    )


def html_report(rows: list[dict[str, Any]], metrics: dict[str, Any]) -> str:
    keys = _metric_keys(metrics)
    out = [
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Évaluation</title><style>",
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;"
        "font-size:13px}td,th{border:1px solid #ddd;padding:3px 6px}th{background:#f4f4f4}"
        ".bar{position:relative;width:90px;height:16px;background:#eee}.bar span{position:absolute;left:0;top:0;"
        "bottom:0}.bar em{position:relative;font-style:normal;font-size:11px;padding-left:3px}"
        "pre{white-space:pre-wrap;background:#f8f8f8;padding:.5em;font-size:12px}</style></head><body>",
        f"<h1>Évaluation — {html.escape(str(metrics.get('set', '')))}</h1>",
        f"<p>{metrics['overall']['items']} questions. Réglages : <code>{html.escape(str(metrics.get('settings')))}"
        "</code></p>",
    ]
    if metrics.get("malformed_rows"):
        out.append("<p><b>Lignes mal formées ignorées :</b></p><ul>")
        out += [f"<li>ligne {e['line']} : {html.escape(e['error'])}</li>" for e in metrics["malformed_rows"]]
        out.append("</ul>")
    for title, group in (
        ("Ensemble", None),
        ("Par jeu", "by_split"),
        ("Par profil", "by_persona"),
        ("Par étiquette", "by_tag"),
    ):
        groups = {"tout": metrics["overall"]} if group is None else metrics[group]
        out.append(f"<h2>{title}</h2><table><tr><th>groupe</th><th>n</th>")
        out += [f"<th title='{html.escape(LABELS_FR.get(k, k))}'>{html.escape(k)}</th>" for k in keys]
        out.append("</tr>")
        for name, values in groups.items():
            out.append(f"<tr><td>{html.escape(name)}</td><td>{values['items']}</td>")
            out += [f"<td>{_bar(values.get(k), k)}</td>" for k in keys]
            out.append("</tr>")
        out.append("</table>")
    out.append("<h2>Les moins bonnes réponses</h2>")
    for row in worst_items(rows):
        s = row["scores"]
        expected = ", ".join(_source_text(src) for src in row["expected_sources"]) or "(refus attendu)"
        out.append(
            f"<h3>{html.escape(row['id'])}</h3><p><b>Question :</b> {html.escape(row['question'])}<br>"
            f"<b>Attendu :</b> {html.escape(expected)} — faits clés : {html.escape(str(row['key_facts']))}<br>"
            f"<b>Obtenu :</b> {'REFUS' if s['refused'] else 'réponse'} — hit@5 {_fmt(s.get('hit@5'))}, "
            f"faits clés {_fmt(s.get('key_facts'))}</p><pre>{html.escape(row.get('text', '')[:1500])}</pre>"
        )
    out.append("</body></html>")
    return "\n".join(out)


def write_reports(out_dir: Path, rows: list[dict[str, Any]], metrics: dict[str, Any]) -> None:
    (out_dir / "report.md").write_text(markdown_report(rows, metrics), encoding="utf-8")
    (out_dir / "report.html").write_text(html_report(rows, metrics), encoding="utf-8")
