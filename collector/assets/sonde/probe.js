// The browser probe (served by ent-collector at /sonde/{code}): measures this device's
// access to the ENT and submits it to the collector, which scores it with its profile.
//
// The code in the page's URL is the capability: it is sent as `Authorization: Bearer` to
// the API, never in a query string. Download is counted here as the bytes arrive (fetch +
// ReadableStream), upload by the collector (its 100 ms bins, polled). The agent's
// stable-window rule: one-second intervals, moving averages of four, stable when the last
// four averages are within 5 % of their mean; the figure is the mean over those seconds.
'use strict';

(function () {
  const T = {
    fr: {
      title: 'Test de l’accès à l’ENT depuis cet appareil',
      intro: 'Ce test mesure le débit de la connexion de l’école, le temps de réponse et l’accès aux services de l’ENT depuis ce navigateur. Il dure environ 30 secondes. Rien de personnel n’est envoyé.',
      start: 'Lancer le test', again: 'Relancer le test', lang: 'English',
      check: 'Vérification', state: 'État', found: 'Constat', todo: 'À faire',
      hidden: 'Un navigateur ne montre pas tout : la version TLS, les certificats, le DNS et le proxy restent « inconnus » ici ; l’agent les mesure sur un ordinateur.',
      preparing: 'Préparation…', idle: 'Temps de réponse au repos…', down: 'Débit descendant…',
      up: 'Débit montant…', endpoints: 'Accès aux services de l’ENT…', sending: 'Envoi du résultat…',
      busy: 'Un autre test est en cours sur le collecteur ; nouvel essai dans {s} s…',
      failed: 'Le test n’a pas pu aller au bout : {why}', done: 'Test terminé, résultat enregistré.',
    },
    en: {
      title: 'ENT access test from this device',
      intro: 'This test measures the school link’s throughput, its latency and the access to the ENT services from this browser. It takes about 30 seconds. Nothing personal is sent.',
      start: 'Start the test', again: 'Run the test again', lang: 'Français',
      check: 'Check', state: 'Status', found: 'Finding', todo: 'What to do',
      hidden: 'A browser does not show everything: the TLS version, the certificates, DNS and the proxy stay “unknown” here; the agent measures them on a computer.',
      preparing: 'Preparing…', idle: 'Idle latency…', down: 'Download…', up: 'Upload…',
      endpoints: 'Access to the ENT services…', sending: 'Sending the result…',
      busy: 'Another test is running on the collector; retrying in {s} s…',
      failed: 'The test could not finish: {why}', done: 'Test finished, result saved.',
    },
  };
  const params = new URLSearchParams(location.search);
  let lang = params.get('lang') === 'en' ? 'en' : 'fr';
  const $ = (id) => document.getElementById(id);
  const t = (key, args) => (T[lang][key] || key).replace(/\{(\w+)\}/g, (_, k) => String(args && args[k]));

  function applyLang() {
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    $('lang').textContent = t('lang');
    $('lang').lang = lang === 'fr' ? 'en' : 'fr';
    document.title = t('title');
  }

  const code = decodeURIComponent(location.pathname.split('/').pop() || '');
  const base = location.origin + location.pathname.replace(/sonde\/[^/]*$/, '');
  const auth = { Authorization: 'Bearer ' + code };
  const BIN_S = 0.1;

  function status(text) { $('status').textContent = text; }
  function progress(v) { const p = $('progress'); p.hidden = false; p.value = v; }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Every fetch has a deadline: a stuck request never holds the test.
  const deadline = (ms) => AbortSignal.timeout(ms);
  // Less data than this in a direction: it is reported unavailable, not a measured 0.
  const MIN_DATA_S = 1;

  async function api(method, path, body, root) {
    const opts = { method, headers: Object.assign({}, auth), cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 10000);
    opts.signal = ctl.signal;
    try {
      const r = await fetch((root || base) + path, opts);
      const text = await r.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
      return { status: r.status, json, retry: Number(r.headers.get('Retry-After')) || 0 };
    } finally {
      clearTimeout(timer);
    }
  }

  function deviceId() {
    const key = 'ent-probe-device';
    let id = null;
    try { id = localStorage.getItem(key); } catch (_) { id = null; }
    if (!id || !/^[A-Za-z0-9-]{8,64}$/.test(id)) {
      const b = new Uint8Array(16);
      crypto.getRandomValues(b);
      id = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
      try { localStorage.setItem(key, id); } catch (_) { /* private mode: a new device each time */ }
    }
    return id;
  }

  async function clientHints() {
    const d = navigator.userAgentData;
    if (!d || !d.getHighEntropyValues) return null;
    try {
      const v = await d.getHighEntropyValues(['platform', 'platformVersion', 'fullVersionList', 'mobile', 'model']);
      return {
        platform: v.platform || null,
        platformVersion: v.platformVersion || null,
        fullVersionList: (v.fullVersionList || []).slice(0, 16).map((b) => ({ brand: String(b.brand), version: String(b.version) })),
        mobile: typeof v.mobile === 'boolean' ? v.mobile : null,
        model: v.model || null,
      };
    } catch (_) {
      return null;
    }
  }

  // The agent's stable-window rule on a cumulative byte series sampled every 100 ms.
  function stableWindow(points) {
    // points: [t seconds, cumulative bytes], t ascending from 0.
    const at = (t) => {
      let prev = points[0];
      for (const p of points) {
        if (p[0] >= t) {
          if (p[0] === prev[0]) return p[1];
          return prev[1] + (p[1] - prev[1]) * (t - prev[0]) / (p[0] - prev[0]);
        }
        prev = p;
      }
      return prev[1];
    };
    const end = points.length ? points[points.length - 1][0] : 0;
    const seconds = [];
    for (let s = 2; s <= end + 1e-9; s += 1) seconds.push([s, at(s) - at(s - 1)]); // first second: slow start
    const ma = [];
    for (let i = 3; i < seconds.length; i++) {
      const four = seconds.slice(i - 3, i + 1).map((x) => x[1]);
      ma.push([seconds[i][0], four.reduce((a, b) => a + b, 0) / 4]);
    }
    for (let j = 3; j < ma.length; j++) {
      const last = ma.slice(j - 3, j + 1).map((x) => x[1]);
      const mean = last.reduce((a, b) => a + b, 0) / 4;
      const sd = Math.sqrt(last.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
      if (mean > 0 && sd / mean <= 0.05) {
        const t1 = ma[j][0];
        const t0 = t1 - 7;
        return { stable: true, t0, t1, bytes: at(t1) - at(t0) };
      }
    }
    const t0 = Math.min(1, end);
    return { stable: false, t0, t1: end, bytes: at(end) - at(t0) };
  }

  function windowFigures(points, w) {
    const bins = [];
    let prev = null;
    for (const p of points) {
      if (p[0] > w.t0 + 1e-9 && p[0] <= w.t1 + 1e-9 && prev) bins.push(((p[1] - prev[1]) * 8) / (p[0] - prev[0]) / 1e6);
      prev = p;
    }
    const secs = Math.max(w.t1 - w.t0, 1e-3);
    return { mbps: (w.bytes * 8) / secs / 1e6, window_start_s: w.t0, window_s: secs, bins_mbps: bins.slice(0, 600) };
  }

  // One direction: `step(now)` pushes samples; returns when stable or at the cap.
  async function runDirection(maxS, sample, isStable, t0) {
    for (;;) {
      await sleep(100);
      const el = (performance.now() - t0) / 1000;
      sample(el);
      if (el >= 8 && isStable()) return el;
      if (el >= maxS) return el;
    }
  }

  async function pingOnce(root, session) {
    const s = performance.now();
    const r = await fetch(root + 'api/v1/speedtest/ping?session=' + encodeURIComponent(session), { cache: 'no-store', credentials: 'omit', signal: deadline(5000) });
    await r.text();
    if (!r.ok) throw new Error('ping ' + r.status);
    return performance.now() - s;
  }

  function loadedPinger(root, session, out) {
    let on = true;
    (async () => {
      while (on) {
        try { out.push(await pingOnce(root, session)); } catch (_) { /* a lost ping under load */ }
        await sleep(400);
      }
    })();
    return () => { on = false; };
  }

  const STREAMS = 4;

  // The session's clock (seconds) at the page's time `at` (performance.now()), from one
  // counters answer `c` read at `cAt`.
  const sessionClock = (c, cAt, at) => c.elapsed_us / 1e6 + (at - cAt) / 1000;

  async function download(root, session, maxS, loaded) {
    const c = await counters(root, session, null);
    const cAt = performance.now();
    const ctl = new AbortController();
    let received = 0;
    const points = [[0, 0]];
    const stream = async () => {
      while (!ctl.signal.aborted) {
        const r = await fetch(root + 'api/v1/speedtest/download?session=' + encodeURIComponent(session) + '&bytes=' + (256 << 20),
          { cache: 'no-store', credentials: 'omit', signal: ctl.signal });
        if (!r.ok || !r.body) throw new Error('download ' + r.status);
        const reader = r.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += value.byteLength;
        }
      }
    };
    const streams = [];
    for (let i = 0; i < STREAMS; i++) streams.push(stream().catch(() => {}));
    const stopPing = loadedPinger(root, session, loaded);
    const t0 = performance.now();
    const el = await runDirection(maxS, (e) => points.push([e, received]), () => stableWindow(points).stable, t0);
    stopPing();
    ctl.abort();
    await Promise.allSettled(streams);
    const w = stableWindow(points);
    if (w.t1 - w.t0 < MIN_DATA_S || !(w.bytes > 0)) throw new Error('the download streams failed');
    return Object.assign(windowFigures(points, w), {
      streams: STREAMS, bytes: received, duration_s: el, stable: w.stable, session_offset_s: sessionClock(c, cAt, t0),
    });
  }

  // The session's counters: the session id is their capability, the code is not sent.
  async function counters(root, session, from) {
    const q = from === null ? '' : '?bins_from=' + from;
    const r = await fetch(root + 'api/v1/speedtest/sessions/' + encodeURIComponent(session) + q,
      { cache: 'no-store', credentials: 'omit', signal: deadline(5000) });
    if (!r.ok) throw new Error('counters ' + r.status);
    return r.json();
  }

  async function upload(root, session, maxS, loaded) {
    const ctl = new AbortController();
    const start = await counters(root, session, null);
    const startAt = performance.now();
    const firstBin = Math.ceil(start.elapsed_us / 1000 / 100);
    const chunk = new Uint8Array(1 << 20);
    for (let i = 0; i < chunk.length; i += 65536) crypto.getRandomValues(chunk.subarray(i, i + 65536));
    let size = 256 << 10;
    const stream = async () => {
      while (!ctl.signal.aborted) {
        const parts = [];
        for (let left = size; left > 0; left -= chunk.length) parts.push(chunk.subarray(0, Math.min(left, chunk.length)));
        const body = new Blob(parts);
        const r = await fetch(root + 'api/v1/speedtest/upload?session=' + encodeURIComponent(session),
          { method: 'POST', body, cache: 'no-store', credentials: 'omit', signal: ctl.signal, headers: { 'Content-Type': 'application/octet-stream' } });
        await r.text();
        if (!r.ok) throw new Error('upload ' + r.status);
      }
    };
    const streams = [];
    for (let i = 0; i < STREAMS; i++) streams.push(stream().catch(() => {}));
    const stopPing = loadedPinger(root, session, loaded);
    let bins = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const c = await counters(root, session, firstBin);
          if (c.upload_bins) bins = c.upload_bins;
        } catch (_) { /* the next poll */ }
        await sleep(250);
      }
    })();
    const series = () => {
      const pts = [[0, 0]];
      let sum = 0;
      bins.forEach((b, k) => { sum += b; pts.push([(k + 1) * BIN_S, sum]); });
      return pts;
    };
    const t0 = performance.now();
    let el = 0;
    for (;;) {
      await sleep(250);
      el = (performance.now() - t0) / 1000;
      const pts = series();
      const rate = pts.length > 10 ? (pts[pts.length - 1][1] / pts[pts.length - 1][0]) : 0;
      // Each request carries about half a second of the stream's share, between 256 KiB and 8 MiB.
      if (rate > 0) size = Math.max(256 << 10, Math.min(8 << 20, Math.round((rate / STREAMS) * 0.5)));
      if (pts.length > 80 && stableWindow(pts).stable) break;
      if (el >= maxS) break;
    }
    // The bins are cut at the moment the streams stop, on the session's clock.
    const stopBin = Math.floor(sessionClock(start, startAt, performance.now()) / BIN_S) - firstBin;
    stopPing();
    ctl.abort();
    await Promise.allSettled(streams);
    polling = false;
    await poller;
    try {
      const c = await counters(root, session, firstBin);
      if (c.upload_bins) bins = c.upload_bins;
    } catch (_) { /* the bins of the last poll */ }
    bins = bins.slice(0, Math.max(stopBin, 0));
    const pts = series();
    const w = stableWindow(pts);
    if (w.t1 - w.t0 < MIN_DATA_S || !(w.bytes > 0)) throw new Error('the upload streams failed');
    const total = pts[pts.length - 1][1];
    return Object.assign(windowFigures(pts, w), {
      streams: STREAMS, bytes: total, duration_s: el, stable: w.stable, session_offset_s: firstBin * BIN_S,
    });
  }

  async function endpoint(e) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 8000);
    const s = performance.now();
    try {
      await fetch(e.url, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', redirect: 'follow', signal: ctl.signal, referrerPolicy: 'no-referrer' });
      return { name: e.name, answered: true, timed_out: false, elapsed_ms: performance.now() - s };
    } catch (_) {
      return { name: e.name, answered: false, timed_out: ctl.signal.aborted, elapsed_ms: performance.now() - s };
    } finally {
      clearTimeout(timer);
    }
  }

  function show(result) {
    const v = $('verdict');
    v.textContent = result.verdict_label + ' (' + result.score + '/100)';
    v.className = result.verdict;
    $('device').textContent = result.device;
    const body = $('checks').querySelector('tbody');
    body.replaceChildren();
    for (const c of result.checks) {
      const tr = document.createElement('tr');
      tr.dataset.check = c.id;
      for (const [text, cls] of [[c.title, ''], [c.status_label, c.status], [c.message, ''], [c.remediation || '', '']]) {
        const td = document.createElement('td');
        td.textContent = text;
        if (cls) td.className = cls;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    $('result').hidden = false;
  }

  let running = false;

  async function run() {
    if (running) return;
    running = true;
    document.body.dataset.state = 'running';
    $('start').disabled = true;
    $('result').hidden = true;
    const began = performance.now();
    const unavailable = {};
    try {
      status(t('preparing'));
      progress(2);
      const cfg = await api('GET', 'api/v1/probe/config');
      if (cfg.status !== 200) throw new Error((cfg.json && cfg.json.message) || ('HTTP ' + cfg.status));
      const maxS = Math.min(Number(cfg.json.max_direction_s) || 12, 20);
      let session = null;
      for (let attempt = 0; attempt < 5 && !session; attempt++) {
        const s = await api('POST', 'api/v1/speedtest/sessions');
        if (s.status === 201) session = s.json;
        else if (s.status === 429) { const w = Math.min(s.retry || 5, 15); status(t('busy', { s: w })); await sleep(w * 1000); }
        else throw new Error((s.json && s.json.message) || ('HTTP ' + s.status));
      }
      const idle = [];
      const loaded = [];
      let down = null;
      let up = null;
      if (session) {
        const opened = performance.now();
        const root = session.node || base;
        // Each direction stops 2 s before the session expires.
        const within = () => Math.min(maxS, (Number(session.expires_in_s) || 60) - (performance.now() - opened) / 1000 - 2);
        status(t('idle'));
        for (let i = 0; i < 8; i++) { try { idle.push(await pingOnce(root, session.session)); } catch (_) { /* lost */ } }
        progress(8);
        status(t('down'));
        try {
          if (within() < 2) throw new Error('the session expires');
          down = await download(root, session.session, within(), loaded);
        } catch (e) { unavailable.download = String(e.message || e); }
        progress(50);
        status(t('up'));
        try {
          if (within() < 2) throw new Error('the session expires');
          up = await upload(root, session.session, within(), loaded);
        } catch (e) { unavailable.upload = String(e.message || e); }
        progress(88);
        try { await fetch(root + 'api/v1/speedtest/sessions/' + encodeURIComponent(session.session), { method: 'DELETE', headers: auth, credentials: 'omit', signal: deadline(5000) }); } catch (_) { /* expires anyway */ }
      } else {
        unavailable.bandwidth = 'the collector stayed busy';
      }
      status(t('endpoints'));
      const endpoints = await Promise.all((cfg.json.endpoints || []).slice(0, 32).map(endpoint));
      progress(95);
      status(t('sending'));
      const num = (x) => (typeof x === 'number' && isFinite(x) ? x : null);
      const submission = {
        device_id: deviceId(),
        lang,
        user_agent: navigator.userAgent,
        client_hints: await clientHints(),
        max_touch_points: num(navigator.maxTouchPoints),
        screen_width: num(screen.width),
        screen_height: num(screen.height),
        pixel_ratio: num(window.devicePixelRatio),
        hardware_concurrency: num(navigator.hardwareConcurrency),
        device_memory_gib: num(navigator.deviceMemory),
        duration_s: (performance.now() - began) / 1000,
        session: session ? session.session : null,
        download: down,
        upload: up,
        idle_latency_ms: idle,
        loaded_latency_ms: loaded,
        endpoints,
        unavailable,
      };
      // To the node that counted the session (behind a load balancer, the others do not
      // know it).
      const r = await api('POST', 'api/v1/probe/reports', submission, session ? session.node : null);
      if (r.status !== 201) throw new Error((r.json && r.json.message) || ('HTTP ' + r.status));
      progress(100);
      show(r.json);
      status(t('done'));
      document.body.dataset.state = 'done';
    } catch (e) {
      status(t('failed', { why: String((e && e.message) || e) }));
      document.body.dataset.state = 'failed';
    } finally {
      running = false;
      $('start').disabled = false;
      $('start').textContent = t('again');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    applyLang();
    $('lang').addEventListener('click', () => { lang = lang === 'fr' ? 'en' : 'fr'; applyLang(); });
    $('start').addEventListener('click', run);
    if (params.get('autostart') === '1') run();
  });
})();
