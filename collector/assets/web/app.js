// ENT readiness: the département's web app. One shell for every page; this script routes on
// location.pathname and reads the JSON API with the read token the reader gives (typed in the
// page, or once in the URL fragment #token=, removed at once). The token is kept in
// sessionStorage and sent as the Authorization header only: never in a URL or a log.
// Every text from the API goes into the page as text (textContent / text nodes), never as HTML.
'use strict';

(function () {
  const KEY = 'ent-readiness-read-token';
  const PAGE_SIZE = 50;
  const params = new URLSearchParams(location.search);
  const LANG = params.get('lang') === 'en' ? 'en' : 'fr';
  const LOCALE = LANG === 'en' ? 'en-GB' : 'fr-FR';

  const TEXT = {
    fr: {
      app: 'Préparation ENT', skip: 'Aller au contenu', nav: 'Navigation principale',
      overview: "Vue d'ensemble", schools: 'Écoles', other_lang: 'English', sign_out: 'Se déconnecter',
      signin: 'Connexion', signin_help: 'Saisissez un jeton de lecture (il commence par entr_). Il reste dans cet onglet et disparaît quand vous le fermez.',
      token: 'Jeton de lecture', signin_go: 'Se connecter', refused: 'Ce jeton est refusé (inconnu, révoqué, ou pas un jeton de lecture).',
      loading: 'Chargement…', error: 'Le collecteur a répondu par une erreur', retry: 'Réessayer',
      generated: 'Données du {date}',
      v_ready: 'Prête', v_ready_with_warnings: 'Prête avec réserves', v_not_ready: 'Pas prête', v_insufficient_data: 'Données insuffisantes',
      w_ready: 'Prêt', w_ready_with_warnings: 'Prêt avec réserves', w_not_ready: 'Pas prêt', w_incomplete: 'Incomplet',
      s_pass: 'Conforme', s_warn: 'Avertissement', s_fail: 'Échec', s_unknown: 'Non mesuré', s_unmeasured: 'Non mesuré',
      kpi_schools: 'Écoles', kpi_ready: 'Écoles prêtes', kpi_ws: 'Postes audités', kpi_stale: 'Postes sans rapport récent',
      kpi_ws_ready: 'Postes prêts', of_decided: 'des écoles avec assez de données', of_ws: 'des postes à jour',
      by_verdict: 'Écoles par verdict', verdict: 'Verdict', count: 'Nombre', share: 'Part',
      blockers: 'Principaux blocages', check: 'Vérification', blocking: 'Bloquant', yes: 'oui', no: 'non',
      n_schools: 'Écoles touchées', n_ws: 'Postes touchés', no_blockers: 'Aucun blocage sur les postes à jour.',
      link: "Débit de l'école par utilisateur simultané", link_caption: 'Débit descendant estimé de l’école partagé entre {n} utilisateurs simultanés ; conforme à partir de {pass} Mbit/s, avertissement à partir de {warn} Mbit/s.',
      grade: 'Niveau', median: 'Médiane des écoles mesurées : {v} Mbit/s par utilisateur.',
      changes: 'Ce qui a changé depuis la dernière campagne', changes_loading: 'Calcul des changements…',
      compared: 'Écoles avec au moins deux campagnes d’audit sur les {d} derniers jours : {n}.', ws_changed: 'Postes dont le verdict a changé : {n}.',
      improved: 'Écoles en progrès', worsened: 'Écoles en recul', newly_failing: 'Nouveaux échecs', fixed: 'Problèmes réglés',
      none: 'Aucune.', school: 'École', date: 'Date', from: 'Avant', to: 'Après',
      circs: 'Circonscriptions', circ: 'Circonscription', ready_share: 'Part prête', stale_ws: 'Postes anciens', workstations: 'Postes',
      list_schools: 'Liste des écoles', search: 'Rechercher (nom, UAI, commune)', all: 'Tous', all_f: 'Toutes',
      blocker: 'Blocage', commune: 'Commune', stale_only: 'Seulement les écoles avec des postes anciens', link_grade: 'Débit par utilisateur',
      filters: 'Filtres', results: '{n} écoles sur {total}', page: 'Page {p} sur {n}', prev: 'Page précédente', next: 'Page suivante',
      csv: 'Exporter en CSV', csv_hint: 'les lignes filtrées', sort_by: 'Trier par {col}',
      uai: 'UAI', name: 'Nom', score: 'Score', last_report: 'Dernier rapport', stale: 'Ancien', main_blockers: 'Principaux blocages',
      per_user: 'Mbit/s par utilisateur', not_found: 'Page introuvable', not_found_school: 'École introuvable',
      not_found_text: 'Le collecteur ne connaît pas l’école {uai} : ni dans l’annuaire importé, ni dans les rapports reçus.',
      bad_uai: 'Ce code UAI n’est pas valide : {msg}', back: 'Retour à la vue d’ensemble', back_school: 'Retour à la page de l’école', unknown_circ: 'Circonscription introuvable',
      unknown_circ_text: 'Aucune école de la circonscription {code}.',
      ws_table: 'Postes de l’école', label: 'Poste', problems: 'Points à traiter', print: 'Fiche imprimable pour la mairie',
      school_link: 'Connexion de l’école', downlink: 'Débit descendant', uplink: 'Débit montant', measured: 'Mesuré', figure: 'Valeur',
      link_from: 'Estimation à partir de {n} postes mesurés récemment.', no_link: 'Aucun poste n’a mesuré le débit récemment.',
      ws_problems: 'Ce qui ne va pas, poste par poste', status: 'État', value: 'Mesure', threshold: 'Seuil', fix: 'Que faire',
      all_pass: 'Toutes les vérifications sont conformes.', history: 'Historique des campagnes', rounds_table: 'Campagnes d’audit',
      chart_title: 'Part des postes prêts et score moyen, par campagne', chart_ready: 'Part prête (%)', chart_score: 'Score moyen',
      no_history: 'Aucun rapport dans la période.', round: 'Campagne', changed_ws: 'Postes changés',
      print_now: 'Imprimer', sheet_title: 'Fiche de préparation à l’ENT', sheet_for: 'Pour la mairie et l’équipe de l’école',
      sheet_summary: '{ready} postes prêts sur {total} audités ({stale} sans rapport récent).', what_ready: 'Ce qui est prêt',
      what_blocks: 'Ce qui bloque', to_do: 'À acheter ou à corriger, poste par poste', pcs: 'Postes concernés', nothing: 'Rien à signaler.',
      ready_pcs: 'Postes prêts : {list}', no_ready_pcs: 'Aucun poste prêt pour l’instant.', sheet_school: 'École',
      more_pages: 'Les postes au-delà des {n} premiers ne sont pas affichés.', colon: ' : ', cols: 'Colonnes',
      devices: 'Tablettes et autres appareils (sonde navigateur)', devices_text: 'Appareils ayant passé la sonde navigateur : {n}, dont {stale} sans rapport récent. Ils sont comptés à part : ils ne décident pas du verdict de l’école.',
      devices_table: 'Appareils à jour par verdict', devices_list: 'Les appareils', device: 'Appareil', scroll_region: 'Tableau des écoles (défilement horizontal)',
    },
    en: {
      app: 'ENT readiness', skip: 'Skip to content', nav: 'Main navigation',
      overview: 'Overview', schools: 'Schools', other_lang: 'Français', sign_out: 'Sign out',
      signin: 'Sign in', signin_help: 'Type a read token (it starts with entr_). It stays in this tab and is gone when you close it.',
      token: 'Read token', signin_go: 'Sign in', refused: 'This token is refused (unknown, revoked, or not a read token).',
      loading: 'Loading…', error: 'The collector answered with an error', retry: 'Try again',
      generated: 'Data of {date}',
      v_ready: 'Ready', v_ready_with_warnings: 'Ready with warnings', v_not_ready: 'Not ready', v_insufficient_data: 'Insufficient data',
      w_ready: 'Ready', w_ready_with_warnings: 'Ready with warnings', w_not_ready: 'Not ready', w_incomplete: 'Incomplete',
      s_pass: 'Pass', s_warn: 'Warning', s_fail: 'Fail', s_unknown: 'Not measured', s_unmeasured: 'Not measured',
      kpi_schools: 'Schools', kpi_ready: 'Schools ready', kpi_ws: 'Workstations audited', kpi_stale: 'Workstations without a recent report',
      kpi_ws_ready: 'Workstations ready', of_decided: 'of the schools with enough data', of_ws: 'of the up-to-date workstations',
      by_verdict: 'Schools by verdict', verdict: 'Verdict', count: 'Count', share: 'Share',
      blockers: 'Top blockers', check: 'Check', blocking: 'Blocking', yes: 'yes', no: 'no',
      n_schools: 'Schools affected', n_ws: 'Workstations affected', no_blockers: 'No blocker on the up-to-date workstations.',
      link: 'School link per simultaneous user', link_caption: 'The school’s estimated downlink shared by {n} simultaneous users; pass from {pass} Mbit/s, warning from {warn} Mbit/s.',
      grade: 'Grade', median: 'Median of the measured schools: {v} Mbit/s per user.',
      changes: 'What changed since the last audit round', changes_loading: 'Working out the changes…',
      compared: 'Schools with at least two audit rounds in the last {d} days: {n}.', ws_changed: 'Workstations whose verdict changed: {n}.',
      improved: 'Schools that improved', worsened: 'Schools that got worse', newly_failing: 'Newly failing', fixed: 'Fixed',
      none: 'None.', school: 'School', date: 'Date', from: 'Before', to: 'After',
      circs: 'Circonscriptions', circ: 'Circonscription', ready_share: 'Ready share', stale_ws: 'Stale workstations', workstations: 'Workstations',
      list_schools: 'School list', search: 'Search (name, UAI, commune)', all: 'All', all_f: 'All',
      blocker: 'Blocker', commune: 'Commune', stale_only: 'Only schools with stale workstations', link_grade: 'Link per user',
      filters: 'Filters', results: '{n} schools of {total}', page: 'Page {p} of {n}', prev: 'Previous page', next: 'Next page',
      csv: 'Export as CSV', csv_hint: 'the filtered rows', sort_by: 'Sort by {col}',
      uai: 'UAI', name: 'Name', score: 'Score', last_report: 'Last report', stale: 'Stale', main_blockers: 'Top blockers',
      per_user: 'Mbit/s per user', not_found: 'Page not found', not_found_school: 'School not found',
      not_found_text: 'The collector knows no school {uai}: neither in the imported directory nor in the reports received.',
      bad_uai: 'This UAI code is not valid: {msg}', back: 'Back to the overview', back_school: 'Back to the school’s page', unknown_circ: 'Circonscription not found',
      unknown_circ_text: 'No school of circonscription {code}.',
      ws_table: 'The school’s workstations', label: 'Workstation', problems: 'Issues', print: 'Printable sheet for the mairie',
      school_link: 'School link', downlink: 'Downlink', uplink: 'Uplink', measured: 'Measured', figure: 'Figure',
      link_from: 'Estimated from {n} workstations measured recently.', no_link: 'No workstation measured the link recently.',
      ws_problems: 'What is wrong, workstation by workstation', status: 'Status', value: 'Measured', threshold: 'Threshold', fix: 'What to do',
      all_pass: 'Every check passes.', history: 'Audit rounds', rounds_table: 'Audit rounds',
      chart_title: 'Share of ready workstations and mean score, per round', chart_ready: 'Ready share (%)', chart_score: 'Mean score',
      no_history: 'No report in the period.', round: 'Round', changed_ws: 'Workstations changed',
      print_now: 'Print', sheet_title: 'ENT readiness sheet', sheet_for: 'For the mairie and the school’s team',
      sheet_summary: '{ready} workstations ready of {total} audited ({stale} without a recent report).', what_ready: 'What is ready',
      what_blocks: 'What blocks', to_do: 'To buy or fix, workstation by workstation', pcs: 'Workstations', nothing: 'Nothing to report.',
      ready_pcs: 'Ready workstations: {list}', no_ready_pcs: 'No workstation is ready yet.', sheet_school: 'School',
      more_pages: 'Workstations beyond the first {n} are not shown.', colon: ': ', cols: 'Columns',
      devices: 'Tablets and other devices (browser probe)', devices_text: 'Devices that ran the browser probe: {n}, {stale} of them without a recent report. They are counted apart: they do not decide the school’s verdict.',
      devices_table: 'Up-to-date devices by verdict', devices_list: 'The devices', device: 'Device', scroll_region: 'Schools table (scrolls sideways)',
    },
  };

  function t(key, vars) {
    let s = TEXT[LANG][key];
    if (s === undefined) s = key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
    return s;
  }

  // --- DOM: every child that is not a node becomes a text node.
  const SVG = 'http://www.w3.org/2000/svg';
  function h(tag, attrs, ...kids) {
    const e = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.setAttribute('class', v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return e;
  }
  const main = document.getElementById('main');
  function show(...nodes) {
    main.replaceChildren(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
    main.setAttribute('aria-busy', 'false');
  }

  // --- Numbers and dates.
  const nf = new Intl.NumberFormat(LOCALE);
  const collator = new Intl.Collator(LOCALE, { sensitivity: 'base', numeric: true });
  const nf1 = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
  const nf2 = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
  const pf = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0 });
  const df = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
  const num = (v) => (v === null || v === undefined ? '—' : nf.format(v));
  const pct = (v) => (v === null || v === undefined ? '—' : pf.format(v));
  // A round's date (YYYY-MM-DD, a UTC day) as the reader writes dates, never shifted.
  const dayFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' });
  const day = (s) => { if (!s) return '—'; const d = new Date(s + 'T00:00:00Z'); return isNaN(d) ? s : dayFormat.format(d); };
  const when = (s) => { if (!s) return '—'; const d = new Date(s); return isNaN(d) ? s : df.format(d); };

  // --- Links keep the language; the token never goes into one.
  function href(path, query) {
    const q = new URLSearchParams(query || {});
    if (LANG === 'en') q.set('lang', 'en');
    const s = q.toString();
    return path + (s ? '?' + s : '');
  }
  const enc = encodeURIComponent;

  // --- Verdicts: an icon and a word, never a colour alone.
  const ICONS = { ready: '✔', ready_with_warnings: '▲', not_ready: '✖', insufficient_data: '?', incomplete: '?', pass: '✔', warn: '▲', fail: '✖', unknown: '?', unmeasured: '?' };
  function badge(kind, value) {
    const key = (kind === 'school' ? 'v_' : kind === 'ws' ? 'w_' : 's_') + value;
    return h('span', { class: 'badge b-' + value }, h('span', { class: 'icon', 'aria-hidden': 'true' }, ICONS[value] || '•'), ' ', t(key));
  }

  // --- The token.
  function takeFragment() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (m) {
      try { sessionStorage.setItem(KEY, decodeURIComponent(m[1])); } catch (e) { /* storage refused */ }
      history.replaceState(history.state, '', location.pathname + location.search);
    }
  }
  const token = () => { try { return sessionStorage.getItem(KEY) || ''; } catch (e) { return ''; } };

  class Refused extends Error {}
  class ApiFailure extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }
  async function api(path) {
    const resp = await fetch(path, { headers: { Authorization: 'Bearer ' + token(), Accept: 'application/json' }, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
    if (resp.status === 401 || resp.status === 403) throw new Refused();
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (!resp.ok) throw new ApiFailure(resp.status, body && body.code, (body && body.message) || String(resp.status));
    return body;
  }
  // Every school of a list, following the pages (next_cursor).
  async function allSchools(query) {
    const out = [];
    let cursor = null;
    for (let i = 0; i < 1000; i++) {
      const q = new URLSearchParams(query || {});
      q.set('limit', '1000');
      if (cursor) q.set('cursor', cursor);
      const page = await api('/api/v1/schools?' + q);
      out.push(...page.schools);
      cursor = page.page && page.page.next_cursor;
      if (!cursor) break;
    }
    return out;
  }

  // --- The frame: navigation, language, sign-out.
  function frame() {
    document.documentElement.lang = LANG;
    document.title = t('app');
    const skip = document.querySelector('.skip');
    if (skip) skip.textContent = t('skip');
    const brand = document.querySelector('.brand');
    if (brand) { brand.textContent = t('app'); brand.setAttribute('href', href('/')); }
    const nav = document.getElementById('nav');
    nav.setAttribute('aria-label', t('nav'));
    const other = new URLSearchParams(location.search);
    if (LANG === 'en') other.delete('lang'); else other.set('lang', 'en');
    const os = other.toString();
    const here = location.pathname;
    const item = (path, label) => h('a', { href: href(path), 'aria-current': here === path ? 'page' : null }, label);
    nav.replaceChildren(
      item('/', t('overview')),
      item('/ecoles', t('schools')),
      h('a', { href: here + (os ? '?' + os : ''), lang: LANG === 'en' ? 'fr' : 'en', hreflang: LANG === 'en' ? 'fr' : 'en', class: 'lang' }, t('other_lang')),
      token() ? h('button', { type: 'button', class: 'link', onclick: () => { sessionStorage.removeItem(KEY); location.reload(); } }, t('sign_out')) : null,
    );
  }

  function signIn(refused) {
    const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
    const form = h('form', { class: 'signin', onsubmit: (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(KEY, input.value.trim());
      frame();
      // Signed in: the focus goes to the page's heading (the form it was on is gone).
      route().then(() => { if (document.documentElement.dataset.page !== 'signin') focusHeading(); });
    } },
    h('p', { id: 'token-help' }, t('signin_help')),
    h('label', { for: 'token' }, t('token')), ' ', input, ' ',
    h('button', { type: 'submit' }, t('signin_go')));
    show(h('h1', {}, t('signin')), refused ? h('p', { class: 'alert', role: 'alert' }, t('refused')) : null, form);
    document.documentElement.dataset.page = 'signin';
    input.focus();
  }

  function focusHeading() {
    const h1 = main.querySelector('h1');
    const target = h1 || main;
    target.setAttribute('tabindex', '-1');
    target.focus();
  }

  function failure(e) {
    if (e instanceof Refused) { signIn(true); return; }
    show(h('h1', {}, t('error')), h('p', { class: 'alert', role: 'alert' }, e.message || String(e)),
      h('p', {}, h('button', { type: 'button', onclick: route }, t('retry'))));
    document.documentElement.dataset.page = 'error';
  }

  function notFound(title, text) {
    document.title = title + ' — ' + t('app');
    show(h('h1', {}, title), h('p', { class: 'alert', role: 'alert' }, text), h('p', {}, h('a', { href: href('/') }, t('back'))));
    document.documentElement.dataset.page = 'not-found';
  }

  function rendered(page) {
    document.documentElement.dataset.page = page;
    document.documentElement.dataset.renderMs = String(Math.round(performance.now()));
  }

  // --- Tables.
  function table(caption, heads, rows, opts) {
    const o = opts || {};
    return h('div', { class: 'scroll' }, h('table', { class: o.class || null },
      h('caption', { class: o.showCaption ? null : 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, heads.map((x, i) => h('th', { scope: 'col', class: (o.num || []).includes(i) ? 'num' : null }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 && o.rowHead !== false ? h('th', { scope: 'row' }, c) : h('td', { class: (o.num || []).includes(i) ? 'num' : null }, c))))))));
  }
  function kpis(items) {
    return h('ul', { class: 'kpis' }, items.map(([label, value, note]) => h('li', {}, h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-label' }, label), note ? h('span', { class: 'kpi-note' }, note) : null)));
  }
  const PROBLEM_ORDER = ['fail', 'warn', 'unknown', 'pass'];
  const VERDICTS = ['ready', 'ready_with_warnings', 'not_ready', 'insufficient_data'];
  const verdictRank = (v) => VERDICTS.indexOf(v);

  // --- CSV (';' for French spreadsheets; text cells never formulas).
  function cell(v) {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    // Every cell quoted: a spreadsheet whose separator is ',' would otherwise split a
    // label such as 'PC,=HYPERLINK(...)' into a cell that starts with '='.
    return '"' + s.replace(/"/g, '""') + '"';
  }
  function download(name, header, rows) {
    const text = '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const a = h('a', { href: url, download: name, class: 'hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- Overview (and a circonscription's head).
  function overviewParts(o, opts) {
    const verdictRows = VERDICTS.map((v) => [badge('school', v), num(o.school_verdicts[v]), o.schools ? pct(o.school_verdicts[v] / o.schools) : '—']);
    const blockerLink = (b) => (opts.circ ? h('a', { href: href(location.pathname, { blocker: b.check }) }, b.title) : h('a', { href: href('/ecoles', { blocker: b.check }) }, b.title));
    const parts = [
      kpis([
        [t('kpi_schools'), num(o.schools)],
        [t('kpi_ready'), pct(o.ready_share), t('of_decided')],
        [t('kpi_ws'), num(o.workstations.audited)],
        [t('kpi_ws_ready'), pct(o.workstations.ready_share), t('of_ws')],
        [t('kpi_stale'), num(o.workstations.stale)],
      ]),
      h('div', { class: 'grid' },
        h('section', { 'aria-labelledby': 'h-verdicts' }, h('h2', { id: 'h-verdicts' }, t('by_verdict')),
          table(t('by_verdict'), [t('verdict'), t('count'), t('share')], verdictRows, { num: [1, 2], class: 'verdicts' })),
        h('section', { 'aria-labelledby': 'h-link' }, h('h2', { id: 'h-link' }, t('link')),
          table(t('link_caption', { n: o.link.simultaneous_users, pass: nf2.format(o.link.pass_mbps), warn: nf2.format(o.link.warn_mbps) }), [t('grade'), t('count')],
            ['pass', 'warn', 'fail', 'unmeasured'].map((g) => [badge('status', g), num(o.link[g])]), { num: [1], class: 'link-grades', showCaption: true }),
          o.link.median_per_user_mbps !== null ? h('p', {}, t('median', { v: nf2.format(o.link.median_per_user_mbps) })) : null)),
      h('section', { 'aria-labelledby': 'h-blockers' }, h('h2', { id: 'h-blockers' }, t('blockers')),
        o.top_blockers.length
          ? table(t('blockers'), [t('check'), t('blocking'), t('n_schools'), t('n_ws')],
            o.top_blockers.map((b) => [blockerLink(b), b.blocking ? t('yes') : t('no'), num(b.schools), num(b.workstations)]), { num: [2, 3], class: 'blockers' })
          : h('p', {}, t('no_blockers'))),
    ];
    return parts;
  }

  async function overviewPage() {
    const o = await api(href('/api/v1/overview'));
    const changes = h('section', { 'aria-labelledby': 'h-changes', id: 'changes', 'aria-busy': 'true' }, h('h2', { id: 'h-changes' }, t('changes')), h('p', {}, t('changes_loading')));
    const circs = o.circonscriptions.map((c) => [
      h('a', { href: href('/circonscriptions/' + enc(c.code)) }, c.name || c.code),
      num(c.schools), num(c.school_verdicts.ready), num(c.school_verdicts.ready_with_warnings), num(c.school_verdicts.not_ready), num(c.school_verdicts.insufficient_data),
      pct(c.ready_share), num(c.stale_workstations)]);
    document.title = t('overview') + ' — ' + t('app');
    show(
      h('h1', {}, t('overview')),
      h('p', { class: 'muted' }, t('generated', { date: when(o.generated_at) })),
      overviewParts(o, {}),
      changes,
      h('section', { 'aria-labelledby': 'h-circs' }, h('h2', { id: 'h-circs' }, t('circs')),
        table(t('circs'), [t('circ'), t('schools'), t('v_ready'), t('v_ready_with_warnings'), t('v_not_ready'), t('v_insufficient_data'), t('ready_share'), t('stale_ws')], circs, { num: [1, 2, 3, 4, 5, 6, 7], class: 'circs' }),
        h('p', {}, h('button', { type: 'button', onclick: () => download('circonscriptions.csv',
          ['code', 'circonscription', 'ecoles', 'pretes', 'pretes_avec_reserves', 'pas_pretes', 'donnees_insuffisantes', 'part_prete', 'postes_anciens'],
          o.circonscriptions.map((c) => [c.code, c.name, c.schools, c.school_verdicts.ready, c.school_verdicts.ready_with_warnings, c.school_verdicts.not_ready, c.school_verdicts.insufficient_data, c.ready_share, c.stale_workstations])) }, t('csv'))),
        h('p', {}, h('a', { href: href('/ecoles') }, t('list_schools')))),
    );
    rendered('overview');
    loadChanges(changes, '');
  }

  async function loadChanges(section, circ) {
    let c;
    try {
      c = await api(href('/api/v1/overview/changes', circ ? { circonscription: circ } : {}));
    } catch (e) {
      section.replaceChildren(section.firstChild, h('p', { class: 'alert' }, e.message || String(e)));
      section.setAttribute('aria-busy', 'false');
      document.documentElement.dataset.changes = 'failed';
      return;
    }
    const schoolRows = (list) => list.map((s) => [h('a', { href: href('/ecoles/' + enc(s.uai)) }, s.name || s.uai), day(s.date), badge('school', s.from), badge('school', s.to)]);
    const checkRows = (list) => list.map((x) => [x.title, num(x.schools)]);
    const block = (title, heads, rows, cls) => h('div', {}, h('h3', {}, title), rows.length ? table(title, heads, rows, { class: cls, num: heads.length === 2 ? [1] : [] }) : h('p', {}, t('none')));
    section.replaceChildren(section.firstChild,
      h('p', {}, t('compared', { n: num(c.schools_compared), d: c.days }), ' ', t('ws_changed', { n: num(c.workstations_changed) })),
      h('div', { class: 'grid' },
        block(t('worsened'), [t('school'), t('date'), t('from'), t('to')], schoolRows(c.worsened.slice(0, 20)), 'worsened'),
        block(t('improved'), [t('school'), t('date'), t('from'), t('to')], schoolRows(c.improved.slice(0, 20)), 'improved'),
        block(t('newly_failing'), [t('check'), t('n_schools')], checkRows(c.newly_failing), 'newly-failing'),
        block(t('fixed'), [t('check'), t('n_schools')], checkRows(c.fixed), 'fixed')));
    section.setAttribute('aria-busy', 'false');
    document.documentElement.dataset.changes = 'loaded';
    document.documentElement.dataset.changesMs = String(Math.round(performance.now()));
  }

  // --- School lists: all schools, or one circonscription's.
  const COLS = [
    { key: 'name', label: 'name', get: (s) => s.name || '' },
    { key: 'uai', label: 'uai', get: (s) => s.uai },
    { key: 'commune', label: 'commune', get: (s) => s.commune || '' },
    { key: 'verdict', label: 'verdict', get: (s) => verdictRank(s.verdict) },
    { key: 'ready_share', label: 'ready_share', get: (s) => (s.ready_share === null ? -1 : s.ready_share), num: true },
    { key: 'score', label: 'score', get: (s) => (s.score === null ? -1 : s.score), num: true },
    { key: 'workstations', label: 'workstations', get: (s) => s.workstations, num: true },
    { key: 'stale', label: 'stale_ws', get: (s) => s.stale_workstations, num: true },
    { key: 'per_user', label: 'per_user', get: (s) => (s.network.per_user_downlink_mbps === null ? -1 : s.network.per_user_downlink_mbps), num: true },
    { key: 'blockers', label: 'main_blockers', get: (s) => (s.top_blockers[0] ? s.top_blockers[0].check : '') },
  ];
  const linkGrade = (s) => s.network.per_user_status || 'unmeasured';

  async function listPage(circ) {
    const query = circ ? { circonscription: circ } : {};
    let o;
    try {
      o = await api(href('/api/v1/overview', query));
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) { notFound(t('unknown_circ'), t('unknown_circ_text', { code: circ })); return; }
      throw e;
    }
    const schools = await allSchools(query);
    const title = circ ? ((o.circonscription && o.circonscription.name) || circ) : t('list_schools');
    document.title = title + ' — ' + t('app');
    const titleOf = (id) => o.titles[id] || id;
    const st = {
      q: params.get('q') || '', verdict: params.get('verdict') || '', blocker: params.get('blocker') || '', commune: params.get('commune') || '',
      stale: params.get('stale') === '1', link: params.get('link') || '', sort: params.get('sort') || 'name', dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
      page: Math.max(1, parseInt(params.get('page') || '1', 10) || 1),
    };
    const communes = [...new Set(schools.map((s) => s.commune).filter(Boolean))].sort((a, b) => a.localeCompare(b, LOCALE));
    // Every failing check of the schools, not only each one's top five.
    const failingChecks = (s) => s.failing_checks || s.top_blockers.map((b) => b.check);
    const blockers = [...new Set(schools.flatMap(failingChecks))].sort((a, b) => titleOf(a).localeCompare(titleOf(b), LOCALE));
    const select = (id, label, options, value, any) => {
      const sel = h('select', { id: 'f-' + id, name: id }, h('option', { value: '' }, any), options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
      sel.addEventListener('change', () => { st[id] = sel.value; st.page = 1; update(); });
      return h('div', { class: 'field' }, h('label', { for: 'f-' + id }, label), sel);
    };
    const search = h('input', { id: 'f-q', type: 'search', name: 'q', value: st.q, autocomplete: 'off' });
    let timer = null;
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { st.q = search.value; st.page = 1; update(); }, 150); });
    const stale = h('input', { id: 'f-stale', type: 'checkbox', name: 'stale', checked: st.stale });
    stale.addEventListener('change', () => { st.stale = stale.checked; st.page = 1; update(); });
    const filters = h('form', { class: 'filters', role: 'search', onsubmit: (ev) => ev.preventDefault() },
      h('div', { class: 'field wide' }, h('label', { for: 'f-q' }, t('search')), search),
      select('verdict', t('verdict'), VERDICTS.map((v) => [v, t('v_' + v)]), st.verdict, t('all')),
      select('blocker', t('blocker'), blockers.map((b) => [b, titleOf(b)]), st.blocker, t('all')),
      select('commune', t('commune'), communes.map((c) => [c, c]), st.commune, t('all_f')),
      select('link', t('link_grade'), ['pass', 'warn', 'fail', 'unmeasured'].map((g) => [g, t('s_' + g)]), st.link, t('all')),
      h('div', { class: 'field check' }, stale, h('label', { for: 'f-stale' }, t('stale_only'))));
    const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    const thead = h('thead');
    const tbody = h('tbody');
    // The pager's buttons are made once and updated: a button pressed from the keyboard
    // keeps the focus.
    let pages = 1;
    const turn = (by) => { st.page = Math.min(Math.max(1, st.page + by), pages); update(); tableEl.scrollIntoView(); };
    const prevButton = h('button', { type: 'button', class: 'prev', onclick: () => turn(-1) }, '← ' + t('prev'));
    const nextButton = h('button', { type: 'button', class: 'next', onclick: () => turn(1) }, t('next') + ' →');
    const pageText = h('span', {});
    const pager = h('nav', { class: 'pager', 'aria-label': t('page', { p: '', n: '' }).replace(/\s+/g, ' ').trim() }, prevButton, pageText, nextButton);
    const tableEl = h('table', { class: 'schools' }, h('caption', {}, title), thead, tbody);
    const csvButton = h('button', { type: 'button' }, t('csv'));
    let filtered = [];
    csvButton.addEventListener('click', () => download('ecoles.csv',
      ['uai', 'nom', 'commune', 'circonscription', 'verdict', 'part_prete', 'score', 'postes', 'postes_anciens', 'debit_par_utilisateur_mbps', 'debit_par_utilisateur_statut', 'principaux_blocages'],
      filtered.map((s) => [s.uai, s.name, s.commune, s.circonscription.name, s.verdict, s.ready_share, s.score, s.workstations, s.stale_workstations, s.network.per_user_downlink_mbps, s.network.per_user_status, s.top_blockers.map((b) => b.check).join(', ')])));

    function matches(s, q) {
      if (st.verdict && s.verdict !== st.verdict) return false;
      if (st.commune && s.commune !== st.commune) return false;
      if (st.stale && !(s.stale_workstations > 0)) return false;
      if (st.link && linkGrade(s) !== st.link) return false;
      if (st.blocker && !failingChecks(s).includes(st.blocker)) return false;
      if (q) {
        const hay = ((s.name || '') + ' ' + s.uai + ' ' + (s.commune || '')).toLocaleLowerCase(LOCALE);
        if (!hay.includes(q)) return false;
      }
      return true;
    }
    function header() {
      thead.replaceChildren(h('tr', {}, COLS.map((c) => {
        const active = st.sort === c.key;
        const b = h('button', { type: 'button', class: 'sort', 'aria-label': t('sort_by', { col: t(c.label) }) }, t(c.label), h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (st.dir === 'asc' ? ' ▲' : ' ▼') : ' ⇅'));
        b.addEventListener('click', () => { if (st.sort === c.key) st.dir = st.dir === 'asc' ? 'desc' : 'asc'; else { st.sort = c.key; st.dir = 'asc'; } update(); thead.querySelector('[data-key="' + c.key + '"] button').focus(); });
        return h('th', { scope: 'col', 'data-key': c.key, class: c.num ? 'num' : null, 'aria-sort': active ? (st.dir === 'asc' ? 'ascending' : 'descending') : 'none' }, b);
      })));
    }
    function row(s) {
      return h('tr', {},
        h('th', { scope: 'row' }, h('a', { href: href('/ecoles/' + enc(s.uai)) }, s.name || s.uai)),
        h('td', {}, s.uai), h('td', {}, s.commune || '—'), h('td', {}, badge('school', s.verdict)),
        h('td', { class: 'num' }, pct(s.ready_share)), h('td', { class: 'num' }, s.score === null ? '—' : nf1.format(s.score)),
        h('td', { class: 'num' }, num(s.workstations)), h('td', { class: 'num' }, num(s.stale_workstations)),
        h('td', { class: 'num' }, s.network.per_user_downlink_mbps === null ? badge('status', 'unmeasured') : [nf2.format(s.network.per_user_downlink_mbps), ' ', badge('status', linkGrade(s))]),
        h('td', {}, s.top_blockers.slice(0, 2).map((b) => titleOf(b.check)).join(', ') || '—'));
    }
    function update() {
      const q = st.q.trim().toLocaleLowerCase(LOCALE);
      const col = COLS.find((c) => c.key === st.sort) || COLS[0];
      const sign = st.dir === 'desc' ? -1 : 1;
      filtered = schools.filter((s) => matches(s, q));
      const keyed = filtered.map((s) => [col.get(s), s]);
      keyed.sort((a, b) => sign * (typeof a[0] === 'string' ? collator.compare(a[0], b[0]) : a[0] - b[0]) || (a[1].uai < b[1].uai ? -1 : 1));
      filtered = keyed.map((k) => k[1]);
      pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
      st.page = Math.min(st.page, pages);
      header();
      tbody.replaceChildren(...filtered.slice((st.page - 1) * PAGE_SIZE, st.page * PAGE_SIZE).map(row));
      status.textContent = t('results', { n: num(filtered.length), total: num(schools.length) });
      const focused = document.activeElement;
      prevButton.disabled = st.page <= 1;
      nextButton.disabled = st.page >= pages;
      pageText.textContent = t('page', { p: st.page, n: pages });
      // At the first or last page the pressed button is disabled: the focus goes to the other.
      if (focused === nextButton && nextButton.disabled && !prevButton.disabled) prevButton.focus();
      else if (focused === prevButton && prevButton.disabled && !nextButton.disabled) nextButton.focus();
      const u = new URLSearchParams();
      if (LANG === 'en') u.set('lang', 'en');
      for (const k of ['q', 'verdict', 'blocker', 'commune', 'link']) if (st[k]) u.set(k, st[k]);
      if (st.stale) u.set('stale', '1');
      if (st.sort !== 'name') u.set('sort', st.sort);
      if (st.dir !== 'asc') u.set('dir', st.dir);
      if (st.page > 1) u.set('page', String(st.page));
      const s = u.toString();
      history.replaceState(history.state, '', location.pathname + (s ? '?' + s : ''));
    }
    const headParts = circ ? [h('p', { class: 'muted' }, t('generated', { date: when(o.generated_at) })), overviewParts(o, { circ: true })] : [];
    const changes = circ ? h('section', { 'aria-labelledby': 'h-changes', 'aria-busy': 'true' }, h('h2', { id: 'h-changes' }, t('changes')), h('p', {}, t('changes_loading'))) : null;
    show(h('h1', {}, title), headParts, changes,
      h('section', { 'aria-labelledby': 'h-list' }, h('h2', { id: 'h-list' }, t('list_schools')),
        filters, h('div', { class: 'bar' }, status, csvButton), h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': t('scroll_region') }, tableEl), pager));
    update();
    rendered(circ ? 'circonscription' : 'schools');
    if (changes) loadChanges(changes, circ);
  }

  // --- One school.
  const wsName = (w) => w.label || w.hostname || w.workstation_id.slice(0, 8);
  const valueText = (p) => (p.value === null || p.value === undefined ? '—' : (typeof p.value === 'number' ? nf2.format(p.value) : String(p.value)) + (p.unit ? ' ' + p.unit : ''));

  async function loadSchool(uai) {
    let d;
    try {
      d = await api(href('/api/v1/schools/' + enc(uai), { limit: '1000' }));
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 404) { notFound(t('not_found_school'), t('not_found_text', { uai })); return null; }
      if (e instanceof ApiFailure && e.code === 'invalid_uai') { notFound(t('not_found_school'), t('bad_uai', { msg: e.message })); return null; }
      throw e;
    }
    return d;
  }

  function chart(rounds) {
    const W = 640, H = 220, L = 40, R = 28, T = 14, B = 34;
    const n = rounds.length;
    const x = (i) => (n === 1 ? L + (W - L - R) / 2 : L + (i * (W - L - R)) / (n - 1));
    const y = (v) => T + (1 - v / 100) * (H - T - B);
    const share = (r) => { const dec = r.counts.ready + r.counts.ready_with_warnings + r.counts.not_ready; return dec ? (100 * (r.counts.ready + r.counts.ready_with_warnings)) / dec : 0; };
    const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title', class: 'chart', 'data-points': n });
    svg.append(h('svg:title', { id: 'chart-title' }, t('chart_title')));
    for (const v of [0, 25, 50, 75, 100]) {
      svg.append(h('svg:line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid-line' }));
      svg.append(h('svg:text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(v)));
    }
    const series = [
      { get: share, cls: 'line-ready', mark: 'circle', name: t('chart_ready') },
      { get: (r) => r.score, cls: 'line-score', mark: 'square', name: t('chart_score') },
    ];
    for (const s of series) {
      const pts = rounds.map((r, i) => `${x(i).toFixed(1)},${y(s.get(r)).toFixed(1)}`).join(' ');
      svg.append(h('svg:polyline', { points: pts, class: s.cls, fill: 'none' }));
      rounds.forEach((r, i) => {
        const v = s.get(r);
        const mark = s.mark === 'circle'
          ? h('svg:circle', { cx: x(i), cy: y(v), r: 4.5, class: s.cls + ' point', 'data-series': s.cls })
          : h('svg:rect', { x: x(i) - 4, y: y(v) - 4, width: 8, height: 8, class: s.cls + ' point', 'data-series': s.cls });
        mark.append(h('svg:title', {}, `${r.date} — ${s.name} : ${nf1.format(v)}`));
        svg.append(mark);
      });
    }
    const step = Math.max(1, Math.ceil(n / 8));
    rounds.forEach((r, i) => { if (i % step === 0 || i === n - 1) svg.append(h('svg:text', { x: x(i), y: H - 12, 'text-anchor': n > 1 && i === n - 1 ? 'end' : n > 1 && i === 0 ? 'start' : 'middle', class: 'axis' }, r.date)); });
    const legend = h('p', { class: 'legend', 'aria-hidden': 'true' },
      h('span', { class: 'key key-ready' }, '● ', t('chart_ready')), ' ', h('span', { class: 'key key-score' }, '■ ', t('chart_score')));
    return h('figure', { class: 'chart-box' }, svg, legend);
  }

  // The devices that ran the browser probe (tablets...), apart from the workstations.
  function devicesSection(b, deviceRows) {
    if (!b || !(b.devices > 0)) return null;
    const rows = ['ready', 'ready_with_warnings', 'not_ready', 'incomplete'].map((v) => [badge('ws', v), num(b.counts[v])]);
    return h('section', { 'aria-labelledby': 'h-devices', class: 'devices' }, h('h2', { id: 'h-devices' }, t('devices')),
      h('p', {}, t('devices_text', { n: num(b.devices), stale: num(b.stale) })),
      table(t('devices_table'), [t('verdict'), t('count')], rows, { num: [1], class: 'browser-devices' }),
      deviceRows.length ? table(t('devices_list'), [t('device'), t('verdict'), t('score'), t('last_report'), t('stale'), t('problems')], deviceRows, { num: [2, 5], class: 'devices-list' }) : null);
  }

  async function schoolPage(uai) {
    const d = await loadSchool(uai);
    if (!d) return;
    const hist = await api(href('/api/v1/schools/' + enc(uai) + '/history'));
    const s = d.school;
    const name = s.name || s.uai;
    document.title = name + ' — ' + t('app');
    const n = s.network;
    const linkRows = [
      [t('downlink'), n.downlink_mbps === null ? '—' : nf2.format(n.downlink_mbps) + ' Mbit/s', n.downlink_status ? badge('status', n.downlink_status) : badge('status', 'unmeasured')],
      [t('uplink'), n.uplink_mbps === null ? '—' : nf2.format(n.uplink_mbps) + ' Mbit/s', n.uplink_status ? badge('status', n.uplink_status) : badge('status', 'unmeasured')],
      [t('link'), n.per_user_downlink_mbps === null ? '—' : nf2.format(n.per_user_downlink_mbps) + ' Mbit/s', n.per_user_status ? badge('status', n.per_user_status) : badge('status', 'unmeasured')],
    ];
    // The browser probe's devices (tablets...) apart from the agent's workstations.
    const agents = d.workstations.filter((w) => !w.browser);
    const devices = d.workstations.filter((w) => w.browser);
    const wsRow = (w) => [
      w.problems.length ? h('a', { href: '#ws-' + w.workstation_id }, wsName(w)) : wsName(w),
      badge('ws', w.verdict), num(w.score), when(w.last_report_at), w.stale ? h('span', { class: 'badge b-stale' }, h('span', { class: 'icon', 'aria-hidden': 'true' }, '⏱'), ' ', t('yes')) : t('no'), num(w.problems.length)];
    const wsRows = agents.map(wsRow);
    const problemSections = d.workstations.filter((w) => w.problems.length).map((w) => h('section', { id: 'ws-' + w.workstation_id, class: 'ws-problems', tabindex: '-1' },
      h('h3', {}, wsName(w), ' ', badge('ws', w.verdict)),
      table(t('problems') + ' — ' + wsName(w), [t('check'), t('status'), t('value'), t('threshold'), t('fix')],
        [...w.problems].sort((a, b) => PROBLEM_ORDER.indexOf(a.status) - PROBLEM_ORDER.indexOf(b.status) || b.blocking - a.blocking).map((p) => [p.title, [badge('status', p.status), p.blocking ? h('span', { class: 'tag' }, t('blocking')) : null], valueText(p), p.threshold || '—', p.fix || p.message || '—']), { class: 'problems' })));
    const rounds = hist.rounds;
    const roundRows = rounds.map((r) => {
      const dec = r.counts.ready + r.counts.ready_with_warnings + r.counts.not_ready;
      return [r.date, num(r.workstations), dec ? pct((r.counts.ready + r.counts.ready_with_warnings) / dec) : '—', nf1.format(r.score), badge('school', r.verdict),
        r.newly_failing.map((c) => hist.titles[c] || c).join(', ') || '—', r.fixed.map((c) => hist.titles[c] || c).join(', ') || '—', num(r.changed.length)];
    });
    show(
      h('p', { class: 'crumbs' }, h('a', { href: href('/') }, t('overview')), ' › ',
        s.circonscription.code !== 'unknown' ? [h('a', { href: href('/circonscriptions/' + enc(s.circonscription.code)) }, s.circonscription.name || s.circonscription.code), ' › '] : null, name),
      h('h1', {}, name, ' ', badge('school', s.verdict)),
      h('p', { class: 'muted' }, [s.uai, s.commune, s.circonscription.name].filter(Boolean).join(' · ')),
      h('p', { class: 'no-print' }, h('a', { href: href('/ecoles/' + enc(s.uai) + '/fiche'), class: 'button' }, t('print'))),
      kpis([
        [t('workstations'), num(s.workstations)],
        [t('ready_share'), pct(s.ready_share)],
        [t('score'), s.score === null ? '—' : nf1.format(s.score)],
        [t('stale_ws'), num(s.stale_workstations)],
        [t('last_report'), when(s.last_report_at)],
      ]),
      h('section', { 'aria-labelledby': 'h-ws' }, h('h2', { id: 'h-ws' }, t('ws_table')),
        table(t('ws_table'), [t('label'), t('verdict'), t('score'), t('last_report'), t('stale'), t('problems')], wsRows, { num: [2, 5], class: 'workstations' }),
        d.page.total > d.workstations.length ? h('p', {}, t('more_pages', { n: d.workstations.length })) : null,
        h('p', {}, h('button', { type: 'button', onclick: () => download('postes-' + s.uai + '.csv',
          ['poste', 'verdict', 'score', 'dernier_rapport', 'ancien', 'verification', 'etat', 'mesure', 'seuil', 'que_faire'],
          d.workstations.flatMap((w) => (w.problems.length ? w.problems : [null]).map((p) => [wsName(w), w.verdict, w.score, w.last_report_at, w.stale, p && p.check, p && p.status, p ? valueText(p) : '', p && p.threshold, p && (p.fix || p.message)]))) }, t('csv')))),
      devicesSection(s.browser_devices, devices.map(wsRow)),
      h('section', { 'aria-labelledby': 'h-link' }, h('h2', { id: 'h-link' }, t('school_link')),
        table(t('school_link'), [t('check'), t('figure'), t('grade')], linkRows, { class: 'link' }),
        h('p', {}, n.measured_workstations ? t('link_from', { n: n.measured_workstations }) : t('no_link'))),
      h('section', { 'aria-labelledby': 'h-problems' }, h('h2', { id: 'h-problems' }, t('ws_problems')),
        problemSections.length ? problemSections : h('p', {}, t('all_pass'))),
      h('section', { 'aria-labelledby': 'h-history' }, h('h2', { id: 'h-history' }, t('history')),
        rounds.length ? [chart(rounds), table(t('rounds_table'), [t('round'), t('workstations'), t('ready_share'), t('score'), t('verdict'), t('newly_failing'), t('fixed'), t('changed_ws')], roundRows, { num: [1, 2, 3, 7], class: 'rounds' })] : h('p', {}, t('no_history'))),
    );
    rendered('school');
  }

  // --- The print sheet for the mairie.
  async function sheetPage(uai) {
    const d = await loadSchool(uai);
    if (!d) return;
    const s = d.school;
    const name = s.name || s.uai;
    document.title = t('sheet_title') + ' — ' + name;
    document.body.classList.add('sheet-body');
    const ready = d.workstations.filter((w) => !w.browser && !w.stale && (w.verdict === 'ready' || w.verdict === 'ready_with_warnings'));
    const fresh = d.workstations.filter((w) => !w.browser && !w.stale);
    const byCheck = new Map();
    for (const w of fresh) for (const p of w.problems) {
      if (p.status !== 'fail' && p.status !== 'warn') continue;
      const e = byCheck.get(p.check) || { p, pcs: [] };
      e.pcs.push(wsName(w));
      byCheck.set(p.check, e);
    }
    const blocks = [...byCheck.values()].sort((a, b) => (b.p.blocking && b.p.status === 'fail') - (a.p.blocking && a.p.status === 'fail') || (b.p.status === 'fail') - (a.p.status === 'fail') || b.pcs.length - a.pcs.length);
    const WS_ORDER = ['not_ready', 'incomplete', 'ready_with_warnings', 'ready'];
    const todo = fresh.filter((w) => w.problems.some((p) => p.status === 'fail' || p.status === 'warn')).sort((a, b) => WS_ORDER.indexOf(a.verdict) - WS_ORDER.indexOf(b.verdict));
    show(h('article', { class: 'sheet' },
      h('p', { class: 'no-print' }, h('button', { type: 'button', onclick: () => window.print() }, t('print_now')), ' ', h('a', { href: href('/ecoles/' + enc(s.uai)) }, t('back_school'))),
      h('header', {}, h('h1', {}, t('sheet_title')), h('p', { class: 'sheet-school' }, name, ' ', badge('school', s.verdict)),
        h('p', { class: 'muted' }, [s.uai, s.commune, s.circonscription.name].filter(Boolean).join(' · '), ' — ', t('sheet_for'), ' — ', when(new Date().toISOString()))),
      h('p', {}, t('sheet_summary', { ready: ready.length, total: s.workstations, stale: s.stale_workstations })),
      h('section', {}, h('h2', {}, t('what_ready')), h('p', {}, ready.length ? t('ready_pcs', { list: ready.map(wsName).join(', ') }) : t('no_ready_pcs'))),
      h('section', {}, h('h2', {}, t('what_blocks')),
        blocks.length ? table(t('what_blocks'), [t('check'), t('status'), t('pcs'), t('fix')], blocks.map((b) => [b.p.title, badge('status', b.p.status), b.pcs.length + t('colon') + b.pcs.join(', '), b.p.fix || b.p.message || '—']), { class: 'sheet-blocks' }) : h('p', {}, t('nothing'))),
      h('section', {}, h('h2', {}, t('to_do')),
        todo.length ? table(t('to_do'), [t('label'), t('verdict'), t('fix')], todo.map((w) => [wsName(w), badge('ws', w.verdict),
          h('ul', {}, w.problems.filter((p) => p.status === 'fail' || p.status === 'warn').map((p) => h('li', {}, h('strong', {}, p.title), ' (', valueText(p), ')', t('colon'), p.fix || p.message || '—')))]), { class: 'sheet-todo' }) : h('p', {}, t('nothing'))),
      h('section', {}, h('h2', {}, t('school_link')), h('p', {},
        s.network.per_user_downlink_mbps === null ? t('no_link') : [t('link'), t('colon'), nf2.format(s.network.per_user_downlink_mbps), ' Mbit/s ', badge('status', s.network.per_user_status)]))));
    rendered('sheet');
  }

  // --- Routing on the path.
  async function route() {
    main.setAttribute('aria-busy', 'true');
    if (!token()) { signIn(false); return; }
    main.replaceChildren(h('p', { class: 'muted' }, t('loading')));
    const path = location.pathname.replace(/\/+$/, '') || '/';
    let m;
    try {
      if (path === '/') await overviewPage();
      else if (path === '/ecoles') await listPage(null);
      else if ((m = /^\/circonscriptions\/([^/]+)$/.exec(path))) await listPage(decodeURIComponent(m[1]));
      else if ((m = /^\/ecoles\/([^/]+)\/fiche$/.exec(path))) await sheetPage(decodeURIComponent(m[1]));
      else if ((m = /^\/ecoles\/([^/]+)$/.exec(path))) await schoolPage(decodeURIComponent(m[1]));
      else notFound(t('not_found'), path);
    } catch (e) {
      failure(e);
    }
  }

  // The fragment's token is read once, when the page loads: never on 'hashchange', so that
  // a link from another page cannot swap the open tab onto another token.
  takeFragment();
  frame();
  document.getElementById('foot').textContent = 'ENT readiness';
  route();
})();
