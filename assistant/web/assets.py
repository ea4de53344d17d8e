"""Static parts of the web app: example questions, roles, CSS, the small scripts of the HTML panels.

The scripts only read ``data-*`` attributes written by :mod:`assistant.web.render` and pass them to
Gradio (``trigger``); they never insert text into the page.
"""

from __future__ import annotations

ROLE_CHOICES: list[tuple[str, str]] = [
    ("Non précisé", ""),
    ("Professionnel de santé", "professionnel"),
    ("Représentant des usagers", "representant"),
]
ROLES = {value for _, value in ROLE_CHOICES}
EXAMPLES: dict[str, list[str]] = {
    "Professionnel de santé": [
        "Comment associer des usagers à la gouvernance d'une maison de santé ?",
        "Les usagers sont-ils tenus au secret ?",
        "Comment mobiliser les usagers pour un diagnostic de territoire ?",
    ],
    "Représentant des usagers": [
        "Quel est le rôle d'un représentant associatif en CPTS ?",
        "Qu'est-ce que la participation en faux-semblant ?",
        "Comment recruter des usagers pour un projet de CPTS ?",
    ],
    "Évaluateur": [
        "Quelles sont les fiches ressources du guide HAS ?",
        "Comment évaluer la participation des usagers ?",
        "Quelles sont les recommandations de l'URPS Occitanie ?",
    ],
}
STREAM_STEPS = 14
STREAM_DELAY = 0.04  # seconds between two steps of the streamed display

CSS = """
.gradio-container { max-width: 1280px !important; }
#status .status-line { font-size: 0.9rem; padding: 6px 10px; border-radius: 8px;
  background: var(--background-fill-secondary); }
#conversation { max-height: 64vh; overflow-y: auto !important; }
.conversation .turn { margin: 0 0 18px 0; }
.conversation .question { margin-left: auto; max-width: 85%; width: fit-content; white-space: pre-wrap;
  background: var(--color-accent-soft); padding: 8px 12px; border-radius: 12px 12px 2px 12px;
  overflow-wrap: anywhere; }
.conversation .answer { margin-top: 8px; padding: 10px 12px; border-radius: 12px 12px 12px 2px;
  background: var(--background-fill-secondary); overflow-wrap: anywhere; }
.conversation .answer.refused { border-left: 4px solid #d97706; }
.conversation .answer p { margin: 0.4em 0; }
.conversation .answer .note { font-size: 0.9rem; opacity: 0.85; }
.conversation .status { font-style: italic; opacity: 0.8; }
.conversation .cursor { animation: blink 1s step-end infinite; }
@keyframes blink { 50% { opacity: 0; } }
button.cite { border: none; background: var(--color-accent-soft); color: var(--color-accent);
  border-radius: 6px; padding: 0 4px; margin: 0 1px; font-weight: 600; cursor: pointer; font-size: 0.9em; }
button.cite:hover, button.cite:focus { background: var(--color-accent); color: white; }
.cite-example { font-weight: 600; color: var(--color-accent); }
.sources { margin-top: 8px; font-size: 0.88rem; border-top: 1px solid var(--border-color-primary); }
.sources ul { list-style: none; padding-left: 0; margin: 4px 0; }
.sources-title { font-weight: 600; margin: 6px 0 2px 0; }
button.suggestion { border: 1px solid var(--color-accent); border-radius: 8px; padding: 2px 8px;
  background: transparent; cursor: pointer; text-align: left; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 6px; }
.actions button.act { display: inline-flex; align-items: center; gap: 5px; font-weight: normal;
  border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 3px 10px;
  background: var(--background-fill-primary); cursor: pointer; font-size: 0.85rem; }
.actions button.act svg { display: inline; flex: none; }
.actions button.act.on { background: var(--color-accent-soft); border-color: var(--color-accent); }
.actions .fb-state { font-size: 0.8rem; opacity: 0.8; }
.meta { font-size: 0.8rem; opacity: 0.75; }
.conversation .answer .notice { border-left: 3px solid #b45309; padding-left: 8px; }
.conversation .answer .part-heading { margin-top: 0.8em; }
.conversation .answer .unsupported { text-decoration: underline dotted #b45309; }
.conversation .answer .flag { font-size: 0.8rem; color: #92400e; white-space: nowrap; }
.suggestions ul { list-style: none; padding-left: 0; margin: 4px 0; }
.suggestions li { margin: 3px 0; }
.suggestions-title { font-weight: 600; margin: 6px 0 2px 0; }
.passage-card .kicker { font-size: 0.8rem; text-transform: uppercase; opacity: 0.7; margin: 0; }
.passage-card h3 { margin: 2px 0; }
.passage-card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; font-size: 0.9rem; }
.passage-card dt { font-weight: 600; }
.passage-card dd { margin: 0; }
blockquote.passage { white-space: pre-wrap; border-left: 4px solid var(--color-accent); margin: 8px 0;
  padding: 6px 10px; background: var(--background-fill-secondary); overflow-wrap: anywhere; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
#reader { max-height: 78vh; overflow-y: auto !important; }
#reader .doc-body p { white-space: pre-wrap; }
#reader .page { font-size: 0.75rem; opacity: 0.6; font-weight: normal; }
.toc ul { list-style: none; padding-left: 0; }
.toc .toc-2 { padding-left: 14px; }
button.toc-link, button.open-doc { border: none; background: none; cursor: pointer; text-align: left;
  color: var(--color-accent); padding: 2px 0; font-weight: normal; font-size: 0.95rem; }
button.open-doc .num { font-weight: 600; color: var(--body-text-color); }
button.open-doc .title { display: block; font-weight: 600; }
button.open-doc .details { display: block; font-size: 0.8rem; opacity: 0.75; color: var(--body-text-color); }
.library ol, .library ul { list-style: none; padding-left: 0; margin: 4px 0 12px 0; }
.library li { margin: 2px 0; }
.library h3 { margin: 10px 0 4px 0; }
.ingest-report table { width: 100%; font-size: 0.85rem; }
.ingest-report tr.failed td { color: #b91c1c; }
.ingest-report.ko > p { color: #b91c1c; font-weight: 600; }
@media (max-width: 640px) {
  .app-title { font-size: 1.3rem !important; }
  .app-sub { font-size: 0.85rem; }
  #conversation { max-height: none; overflow-y: visible !important; }
  .conversation .question { max-width: 95%; }
}
"""

CONVERSATION_JS = """
const copyText = async (text) => {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) {
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
    area.remove(); return ok;
  }
};
element.addEventListener('click', async (event) => {
  const button = event.target.closest('[data-action]');
  if (!button || !element.contains(button)) return;
  event.preventDefault();
  const data = button.dataset;
  if (data.action === 'copy') {
    const source = element.querySelector('pre.plain-text[data-turn="' + data.turn + '"]');
    const ok = source ? await copyText(source.textContent) : false;
    const label = button.querySelector('.label');
    if (label) {
      label.textContent = ok ? 'Copié ✓' : 'Copie impossible';
      setTimeout(() => { label.textContent = 'Copier'; }, 2500);
    }
    return;
  }
  // one Gradio event per kind of button: a marker opens its passage (click), a suggested fiche is asked
  // about (submit), an opinion is stored (like)
  const kind = data.action === 'cite' ? 'click' : data.action === 'suggest' ? 'submit' : 'like';
  if (!['cite', 'suggest', 'like', 'dislike'].includes(data.action)) return;
  trigger(kind, {action: data.action, turn: data.turn || '', n: data.n || '', number: data.number || ''});
});
"""

PASSAGE_JS = """
watch('value', () => {
  if (element.querySelector('.passage-card')) element.scrollIntoView({block: 'nearest', behavior: 'smooth'});
});
"""

READER_JS = """
const goToTarget = () => {
  const target = element.querySelector('#cible, [data-cible]');
  if (target) target.scrollIntoView({block: 'center'});
  else if (element.firstElementChild) element.firstElementChild.scrollIntoView({block: 'start'});
};
element.addEventListener('click', (event) => {
  const link = event.target.closest('[data-goto]');
  if (!link) return;
  event.preventDefault();
  const heading = element.querySelector('#' + CSS.escape(link.dataset.goto));
  if (heading) heading.scrollIntoView({block: 'start'});
});
watch('value', () => setTimeout(goToTarget, 50));
setTimeout(goToTarget, 50);
"""

LIBRARY_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('[data-action="open"]');
  if (!button) return;
  trigger('click', {action: 'open', doc: button.dataset.doc || '', number: button.dataset.number || ''});
});
"""

STORAGE_NOTE = """\
**Ce qui est enregistré quand vous donnez un avis (« Utile » / « Pas utile »)** — dans une base SQLite locale, sur ce
serveur uniquement (`{path}`) :

- la question, la réponse affichée et ses sources (documents, fiches, sections, passages cités) ;
- votre avis (utile / pas utile), votre commentaire s'il y en a un, et la case « mauvaise source » ;
- le profil choisi, les questions précédentes de la conversation, le moteur de réponse et les réglages de
  l'assistant (sans mot de passe ni clé d'API), la date et l'heure.

Aucun nom d'utilisateur ni adresse IP n'est enregistré, rien n'est envoyé ailleurs. Une question sans
avis n'est pas conservée, sauf comme question précédente d'une réponse que vous notez ensuite, ou dans
le journal du serveur si sa réponse a échoué. Une réponse jugée « pas utile » peut être exportée comme ligne d'un jeu de
test (format JSONL de l'évaluation) pour améliorer l'assistant.
"""
