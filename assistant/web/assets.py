"""Static parts of the web app: example questions, roles, CSS, the small scripts of the HTML panels.

The scripts read ``data-*`` attributes written by :mod:`assistant.web.render` and pass them to Gradio
(``trigger``); they move focus and scroll, and copy a finished answer's text (``textContent``, never
markup) into the screen readers' live region.
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
STORAGE_KEY = "engagement-usagers-conversations"  # localStorage key of the kept conversations

CSS = """
.gradio-container { max-width: 1280px !important; }
.skip-link { position: absolute; left: -9999px; top: 0; }
.skip-link:focus { position: static; display: inline-block; padding: 4px 8px; background: #0f766e; color: white; }
.sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
:focus-visible, button:focus-visible, [role=tab]:focus-visible, textarea:focus-visible, input:focus-visible {
  outline: 3px solid #0f766e !important; outline-offset: 2px; }
.conversation .answer:focus { outline: 2px solid #0f766e; }
footer .show-api, footer a, footer button { color: #374151 !important; opacity: 1 !important; }
.upload-container .or { color: #4b5563 !important; }
.app-sub, .ex-who, .meta, .note, .fb-state, .status, .details, .kicker, .page { opacity: 1 !important; }
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
.conversation .answer .note { font-size: 0.9rem; color: var(--body-text-color-subdued); }
.conversation .status { font-style: italic; }
button.cite { border: none; background: #e6f4f1; color: #115e59;
  border-radius: 6px; padding: 0 4px; margin: 0 1px; font-weight: 600; cursor: pointer; font-size: 0.9em; }
button.cite:hover, button.cite:focus { background: #115e59; color: white; }
.cite-example { font-weight: 600; color: #115e59; }
.sources { margin-top: 8px; font-size: 0.88rem; border-top: 1px solid var(--border-color-primary); }
.sources ul { list-style: none; padding-left: 0; margin: 4px 0; }
.sources-title { font-weight: 600; margin: 6px 0 2px 0; }
button.suggestion, button.followup { border: 1px solid #0f766e; border-radius: 8px; padding: 2px 8px;
  background: transparent; cursor: pointer; text-align: left; color: inherit; }
button.suggestion:hover, button.followup:hover { background: #e6f4f1; }
.followups ul { list-style: none; padding-left: 0; margin: 4px 0; display: flex; flex-direction: column; gap: 4px; }
.followups-title { font-weight: 600; margin: 8px 0 2px 0; font-size: 0.9rem; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-top: 6px; }
.actions button.act { display: inline-flex; align-items: center; gap: 5px; font-weight: normal;
  border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 3px 10px;
  background: var(--background-fill-primary); cursor: pointer; font-size: 0.85rem; }
.actions button.act svg { display: inline; flex: none; }
.actions button.act.on { background: var(--color-accent-soft); border-color: var(--color-accent); }
.actions .fb-state { font-size: 0.8rem; }
.meta { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.conversation .answer .notice { border-left: 3px solid #b45309; padding-left: 8px; }
.conversation .answer .part-heading, .conversation .answer .further { margin-top: 0.8em; }
.conversation .answer .unsupported { text-decoration: underline dotted #b45309; }
.conversation .answer .flag { font-size: 0.8rem; color: #92400e; white-space: nowrap; }
.suggestions ul { list-style: none; padding-left: 0; margin: 4px 0; }
.suggestions li { margin: 3px 0; }
.suggestions-title { font-weight: 600; margin: 6px 0 2px 0; }
.passage-card .kicker { font-size: 0.8rem; text-transform: uppercase; margin: 0; }
.passage-card h2 { margin: 2px 0; font-size: 1.15rem; }
.passage-card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; font-size: 0.9rem; }
.passage-card dt { font-weight: 600; }
.passage-card dd { margin: 0; }
blockquote.passage { white-space: pre-wrap; border-left: 4px solid var(--color-accent); margin: 8px 0;
  padding: 6px 10px; background: var(--background-fill-secondary); overflow-wrap: anywhere; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
#reader { max-height: 78vh; overflow-y: auto !important; }
#reader .doc-body p { white-space: pre-wrap; }
#reader .page { font-size: 0.75rem; font-weight: normal; color: var(--body-text-color-subdued); }
.toc ul { list-style: none; padding-left: 0; }
.toc .toc-2 { padding-left: 14px; }
button.toc-link, button.open-doc { border: none; background: none; cursor: pointer; text-align: left;
  color: #115e59; padding: 2px 0; font-weight: normal; font-size: 0.95rem; }
button.open-doc .num { font-weight: 600; color: var(--body-text-color); }
button.open-doc .title { display: block; font-weight: 600; }
button.open-doc .details { display: block; font-size: 0.8rem; color: var(--body-text-color-subdued); }
.library ol, .library ul { list-style: none; padding-left: 0; margin: 4px 0 12px 0; }
.library li { margin: 2px 0; }
.library h2 { margin: 10px 0 4px 0; font-size: 1.1rem; }
.ingest-report { overflow-x: auto; max-width: 100%; }
.ingest-report table { width: 100%; font-size: 0.85rem; }
.ingest-report td { overflow-wrap: anywhere; vertical-align: top; }
.ingest-report tr.failed td { color: #b91c1c; }
.ingest-report.ko > p { color: #b91c1c; font-weight: 600; }
@media (max-width: 640px) {
  /* the four main tabs stay in view on a phone instead of folding into Gradio's "…" menu */
  #tabs .tab-container button { padding: 0 6px !important; }
  .app-title { font-size: 1.3rem !important; }
  .app-sub { font-size: 0.85rem; }
  #conversation { max-height: none; overflow-y: visible !important; }
  .conversation .question { max-width: 95%; }
  .ingest-report table, .ingest-report thead, .ingest-report tbody, .ingest-report tr { display: block; }
  .ingest-report thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .ingest-report tr { border-top: 1px solid var(--border-color-primary); padding: 4px 0; }
  .ingest-report td { display: grid; grid-template-columns: 7.5em 1fr; gap: 6px; padding: 1px 0; border: none; }
  .ingest-report td::before { content: attr(data-label); font-weight: 600; }
}
"""

CONVERSATION_JS = """
// the live region screen readers announce (polite): a finished answer's text, once
let live = document.getElementById('answer-live');
if (!live) {
  live = document.createElement('div');
  live.id = 'answer-live'; live.className = 'sr-only';
  live.setAttribute('role', 'status'); live.setAttribute('aria-live', 'polite');
  live.setAttribute('aria-atomic', 'true');
  document.body.appendChild(live);
}
const box = element.closest('#conversation') || element;
const turnsNow = () => element.querySelectorAll('.turn');
let seenTurns = turnsNow().length;
let doneTurns = element.querySelectorAll('.turn .actions').length;
// the start of a turn in view: inside the conversation's own scroll area (desktop), then in the window
const showStart = (turn) => {
  if (box.scrollHeight > box.clientHeight + 4) {
    box.scrollTop += turn.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  }
  const top = turn.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) window.scrollBy({top: top - 12, behavior: 'instant'});
};
const focusQuestion = (tries) => {
  const active = document.activeElement;
  if (active && active !== document.body && !active.disabled && active.closest('body')) return;
  const box = document.querySelector('#question textarea');
  if (box && !box.disabled) box.focus({preventScroll: true});
  else if (tries > 0) setTimeout(() => focusQuestion(tries - 1), 100);
};
let asking = false;  // a turn was seen in progress: its end is an answer to announce (not a reopened one)
watch('value', () => {
  const turns = turnsNow();
  const last = turns[turns.length - 1];
  const done = element.querySelectorAll('.turn .actions').length;
  const pending = Boolean(last && !last.querySelector('.actions'));
  box.setAttribute('aria-busy', pending ? 'true' : 'false');
  if (!last) { seenTurns = 0; doneTurns = 0; asking = false; return; }
  if (pending) asking = true;
  const finished = asking && !pending && done > doneTurns;
  if (turns.length > seenTurns || pending || finished) showStart(last);
  if (finished) {
    asking = false;
    const text = last.querySelector('pre.plain-text');
    live.textContent = text ? text.textContent : '';
    setTimeout(() => focusQuestion(10), 50);
  }
  seenTurns = turns.length; doneTurns = done;
});
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
  // one Gradio event per kind of button: a marker opens its passage (click), a suggested fiche or a next
  // question is asked (submit), an opinion is stored (like)
  const asks = data.action === 'suggest' || data.action === 'followup';
  const kind = data.action === 'cite' ? 'click' : asks ? 'submit' : 'like';
  if (!['cite', 'suggest', 'followup', 'like', 'dislike'].includes(data.action)) return;
  trigger(kind, {action: data.action, turn: data.turn || '', n: data.n || '', number: data.number || '',
                 k: data.k || ''});
});
"""

PAGE_JS = """() => {
  // Gradio writes a few names in English whatever the language: the upload zone's ("Click to upload or
  // drop files", which also differs from its visible French text), its file field's, the footer's, and
  // an empty plot's ("Empty value", on a plain box where a name is not allowed: it becomes an image)
  const names = [
    ['button.upload-container', (e) => e.textContent.replace(/\\s+/g, ' ').trim()],
    ['input[type=file]', () => 'Choisir des fichiers à téléverser'],
    ['footer[aria-label]', () => 'Pied de page'],
    ['.overflow-menu > button', () => 'Autres onglets'],
    ['.empty[aria-label="Empty value"], .empty[aria-label="Aucune donnée"]', () => 'Aucune donnée', 'img'],
  ];
  const fix = () => {
    for (const [selector, name, role] of names) {
      for (const e of document.querySelectorAll(selector)) {
        const wanted = name(e);
        if (role && e.getAttribute('role') !== role) e.setAttribute('role', role);
        if (wanted && e.getAttribute('aria-label') !== wanted) e.setAttribute('aria-label', wanted);
      }
    }
  };
  fix();
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
}"""

FEEDBACK_JS = """() => {
  // the opinion form, once shown: in view (on a phone it is far below the answer); after "Pas utile" the
  // comment box takes the focus. Gradio draws the form a moment after the event: wait for it.
  const place = (tries) => {
    const form = document.querySelector('#feedback');
    const comment = document.querySelector('#comment textarea');
    if (!form || form.offsetParent === null || !comment) {
      if (tries > 0) setTimeout(() => place(tries - 1), 50);
      return;
    }
    const exporter = document.querySelector('#export');
    const disliked = exporter !== null && exporter.offsetParent !== null;
    form.scrollIntoView({block: 'nearest'});
    if (disliked) comment.focus({preventScroll: true});
  };
  setTimeout(() => place(40), 30);
}"""

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

**Sans avis**, une question est conservée seulement quand l'assistant n'a pas pu y répondre ou n'y a
répondu qu'en partie (la question, la réponse donnée, ses sources, les fiches les plus proches, le profil,
la date), pour montrer aux évaluateurs ce que les documents ne couvrent pas ; une question médicale
personnelle ne l'est jamais. Les autres questions ne sont que comptées, par jour.

Aucun nom d'utilisateur ni adresse IP n'est enregistré, rien n'est envoyé ailleurs. Une autre question
n'est conservée que comme question précédente d'une réponse que vous notez ensuite, ou dans le journal
du serveur si sa réponse a échoué. Une réponse jugée « pas utile » peut être exportée comme ligne d'un jeu de
test (format JSONL de l'évaluation) pour améliorer l'assistant.
"""
