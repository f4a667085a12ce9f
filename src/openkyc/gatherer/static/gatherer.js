/* openkyc gatherer: the customer's page. Plain JavaScript, no build, no CDN.
 *
 * Everything goes through the storefront API with the customer token the page was given:
 * POST /files (the pictures), POST /storefront/kyc-documents (one per attempt),
 * GET /storefront/kyc-documents/{id} (until analysed), GET /storefront/kyc-requests/{id},
 * and the liveness sessions. A merchant can build the same on its own front end.
 */
(() => {
  'use strict';

  const boot = JSON.parse(document.getElementById('bootstrap').textContent);
  const T = boot.t;
  const app = document.getElementById('app');
  const phone = window.matchMedia('(pointer: coarse)').matches;
  const PERMANENT = ['fulfilled', 'failed', 'abandoned', 'expired'];
  const ACCEPT = 'image/jpeg,image/png,image/heic,image/heif,image/webp,application/pdf,.heic,.heif';
  const MAX_SIDE = 2000;
  // Most results arrive within seconds: ask often at first, then back off.
  const pollDelay = (started) => (Date.now() - started < 10000 ? 300 : 1000);

  let request = null;
  let documents = [];
  const drafts = {};
  const busy = {};
  let leaving = null;

  // -- helpers ------------------------------------------------------------------------

  const fmt = (text, values) =>
    String(text).replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(child));
    }
    return node;
  }

  /* A failed call: its HTTP status and the problem document (RFC 9457) the server sent.
   * The page never shows the server's own words: the problem's type is looked up in the
   * page's language (T.problems), so the customer reads every error in their language. */
  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.type) || String(status));
      this.status = status;
      this.problem = problem || {};
      this.slug = String(this.problem.type || '').replace(/^.*\/problems\//, '') || (status === 0 ? 'network' : 'other');
    }
  }

  const problemText = (error) => T.problems[error.slug] || T.problems.other;

  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${boot.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(boot.api + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, null);
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function upload(file, tags, onProgress) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      form.append('file', file, file.name || 'upload');
      tags.forEach((tag) => form.append('tags', tag));
      form.append('sourceType', 'upload');
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${boot.api}files`);
      xhr.setRequestHeader('Authorization', `Bearer ${boot.token}`);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
      };
      xhr.onload = () => {
        let data = {};
        try {
          data = JSON.parse(xhr.responseText);
        } catch {
          data = {};
        }
        if (xhr.status === 201) resolve(data.id);
        else reject(new ApiError(xhr.status, data));
      };
      xhr.onerror = () => reject(new ApiError(0, null));
      xhr.send(form);
    });
  }

  /* A phone photo is often 4000 px and 5 MB: scale it to MAX_SIDE before it leaves the
   * device. HEIC (which browsers cannot draw) and PDF go as they are. */
  async function downscaled(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return file;
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch {
      return file;
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size <= 2500000) {
      bitmap.close();
      return file;
    }
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    if (!blob) return file;
    return new File([blob], (file.name || 'photo').replace(/\.\w+$/, '') + '.jpg', {
      type: 'image/jpeg',
    });
  }

  // -- state --------------------------------------------------------------------------

  const wanted = () => request.documents.filter((d) => d.type !== 'credit-file-proof');

  function progressOf(wish) {
    const mine = documents.filter((d) => d.documentType === wish.type);
    const last = mine[mine.length - 1] || null;
    const left = wish.maxAttempts === 0 ? Infinity : wish.maxAttempts - mine.length;
    let status = 'todo';
    if (mine.some((d) => d.status === 'accepted')) status = 'accepted';
    else if (last && last.status === 'in-progress') status = 'in-progress';
    else if (last && last.status === 'pending') status = 'pending';
    else if (last && last.status === 'rejected') status = left > 0 ? 'rejected' : 'failed';
    if (PERMANENT.includes(request.status) && ['todo', 'rejected'].includes(status)) {
      status = 'failed';
    }
    return { mine, last, left, status };
  }

  const settled = (status) => ['accepted', 'pending', 'failed'].includes(status);
  const finished = () =>
    PERMANENT.includes(request.status) || wanted().every((w) => settled(progressOf(w).status));

  /* What must survive a reload (a phone browser often reloads the tab after the camera
   * app): the document kind chosen and a face check passed. Sent documents come back from
   * the server; the current step follows from them. */
  const saved = `openkyc:${boot.requestId}:`;
  function remember(type, work) {
    try {
      const keep = {
        subtype: work.subtype,
        consent: !!work.consent,
        liveness: work.liveness && work.liveness.phase === 'passed' ? work.liveness.fileId : null,
      };
      sessionStorage.setItem(saved + type, JSON.stringify(keep));
    } catch {
      /* private browsing: nothing is kept */
    }
  }

  function recalled(type) {
    try {
      return JSON.parse(sessionStorage.getItem(saved + type) || 'null');
    } catch {
      return null;
    }
  }

  function forget(type) {
    try {
      sessionStorage.removeItem(saved + type);
    } catch {
      /* nothing was kept */
    }
  }

  function draft(type) {
    if (!drafts[type]) {
      const kept = recalled(type) || {};
      drafts[type] = {
        subtype: kept.subtype || null,
        files: {},
        error: '',
        liveness: kept.liveness ? { phase: 'passed', fileId: kept.liveness } : null,
        consent: !!kept.consent,
        retake: null,
      };
    }
    return drafts[type];
  }

  function subtypesOf(wish) {
    const allowed = (wish.subtypes || []).filter((s) => s);
    return allowed.length ? allowed : boot.defaultSubtypes[wish.type] || ['other'];
  }

  function slotsOf(wish, subtype) {
    if (wish.type !== 'identity-proof') return ['document'];
    const slots = ['id-front'];
    if (boot.twoSided.includes(subtype)) slots.push('id-back');
    if (wish.faceProofRequired && !wish.faceLivenessRequired) slots.push('face-proof');
    return slots;
  }

  async function load() {
    request = await api('GET', `storefront/kyc-requests/${boot.requestId}?expand=documents`);
    documents = (request._embedded && request._embedded.documents) || [];
  }

  // -- rendering ----------------------------------------------------------------------

  function render() {
    const focused = document.activeElement && document.activeElement.id;
    const cards = wanted().map((wish, index) => card(wish, index));
    const current = wanted().findIndex((w) => !settled(progressOf(w).status));
    const nodes = [];
    if (boot.hasRedirect) {
      nodes.push(el('p', { class: 'back' }, el('a', { href: boot.leave.back, id: 'back' }, T.back)));
    }
    nodes.push(overview(current));
    if (boot.ui === '2') {
      // Mobile-first: the steps done so far and the current one; the next ones wait.
      nodes.push(...cards.filter((card, index) => current < 0 || index <= current));
    } else {
      nodes.push(...cards);
    }
    if (!phone && !finished() && boot.handoff) nodes.push(handoffBox());
    if (boot.brand && boot.brand.supportUrl) {
      nodes.push(el('p', { class: 'support' }, el('a', { href: boot.brand.supportUrl, id: 'support', target: '_blank', rel: 'noopener noreferrer' }, T.support)));
    }
    if (finished()) {
      nodes.push(donePanel());
      if (boot.hasRedirect && !leaving) {
        // Time to read the result and use the button first (and a keyboard user's way out);
        // "Stay on this page" stops it (WCAG 2.2.1).
        leaving = setTimeout(() => window.location.assign(boot.leave.done), 8000);
      }
    }
    app.replaceChildren(...nodes);
    for (const wish of wanted()) {
      const live = drafts[wish.type] && drafts[wish.type].liveness;
      if (live && live.video) live.video.play().catch(() => {});
      const capture = drafts[wish.type] && drafts[wish.type].capture;
      if (capture && capture.video) capture.video.play().catch(() => {});
    }
    const again = focused && document.getElementById(focused);
    if (again) again.focus();
  }

  function overview(current) {
    const items = wanted().map((wish, index) => {
      const status = progressOf(wish).status;
      return el(
        'li',
        { class: `step status-${status}`, 'aria-current': index === current ? 'step' : null },
        el('span', { class: 'step-title' }, T.types[wish.type].title),
        ' ',
        el('span', { class: 'badge' }, T.status[status]),
      );
    });
    const total = wanted().length;
    const label = current >= 0 ? fmt(T.stepOf, { n: current + 1, total }) : T.requested;
    const until = new Date(request.expirationTime);
    const expires = Number.isNaN(until.getTime())
      ? null
      : el('p', { class: 'expires', id: 'expires' }, fmt(T.expires, { time: until.toLocaleString(boot.lang, { dateStyle: 'long', timeStyle: 'short' }) }));
    return el(
      'nav',
      { class: 'overview', 'aria-label': T.requested },
      el('p', { class: 'step-count' }, label),
      el('ol', {}, items),
      PERMANENT.includes(request.status) ? null : expires,
    );
  }

  function statusLine(wish, state) {
    const type = wish.type;
    const last = state.last;
    const nodes = [];
    const about = last ? last.id : null;
    if (state.status === 'accepted') {
      const accepted = state.mine.find((d) => d.status === 'accepted');
      nodes.push(
        el('p', { class: 'result ok', id: `result-${type}`, tabindex: '-1', 'data-document': accepted.id }, T.result.accepted),
      );
    } else if (state.status === 'pending') {
      nodes.push(
        el('p', { class: 'result wait', id: `result-${type}`, tabindex: '-1', 'data-document': about }, T.result.pending),
      );
    } else if (last && last.status === 'rejected') {
      nodes.push(rejection(type, last, state));
    }
    return nodes;
  }

  function rejection(type, last, state) {
    const reason = last.rejectionReason && last.rejectionReason.type;
    // The reviewer's words to the customer, shown as they were written (text, never markup).
    const note = last.rejectionReason && last.rejectionReason.message;
    const hints = (last.hints || []).map((hint) =>
      el('li', { 'data-hint': hint.code }, T.hints[hint.code] || hint.message),
    );
    let attempts = '';
    if (state.status === 'failed') attempts = '';
    else if (state.left === Infinity) attempts = T.attemptsLeft.unlimited;
    else if (state.left === 1) attempts = T.attemptsLeft.one;
    else attempts = fmt(T.attemptsLeft.other, { count: state.left });
    return el(
      'div',
      { class: 'result bad', id: `result-${type}`, tabindex: '-1', role: 'status', 'data-document': last.id },
      el('p', { class: 'result-title' }, state.status === 'failed' ? T.result.failed : T.result.rejected),
      reason ? el('p', { class: 'reason', 'data-reason': reason }, T.reasons[reason] || T.reasons.other) : null,
      note ? el('p', { class: 'reason-note', 'data-note': '' }, el('strong', {}, T.reasonNote), ' ', note) : null,
      hints.length ? el('p', { class: 'hints-title' }, T.hintsTitle) : null,
      hints.length ? el('ul', { class: 'hints' }, hints) : null,
      attempts ? el('p', { class: 'attempts' }, attempts) : null,
    );
  }

  function card(wish, index) {
    const type = wish.type;
    const state = progressOf(wish);
    const heading = `h-${type}`;
    const section = el(
      'section',
      { class: `card status-${state.status}`, 'aria-labelledby': heading, 'data-type': type },
      el(
        'h2',
        { id: heading },
        T.types[type].title,
        ' ',
        el('span', { class: 'badge' }, T.status[state.status]),
      ),
      el('p', { class: 'why' }, T.types[type].why),
      statusLine(wish, state),
    );
    if (busy[type]) section.append(progressBox(type));
    else if (['todo', 'rejected'].includes(state.status) && !finished()) {
      section.append(form(wish, index));
    } else if (state.status === 'in-progress') {
      section.append(progressBox(type));
    }
    return section;
  }

  function progressBox(type) {
    const work = busy[type] || { phase: 'checking' };
    let text = T.checking;
    if (work.phase === 'preparing') text = T.preparing;
    if (work.phase === 'uploading') text = fmt(T.uploading, { percent: work.percent || 0 });
    return el(
      'div',
      { class: 'progress', role: 'status', id: `progress-${type}` },
      el('progress', {
        max: '100',
        value: work.phase === 'uploading' ? String(work.percent || 0) : null,
        'aria-label': text,
      }),
      el('p', { class: 'progress-text' }, text),
    );
  }

  function form(wish) {
    const type = wish.type;
    const work = draft(type);
    const subtypes = subtypesOf(wish);
    if (!subtypes.includes(work.subtype)) work.subtype = subtypes[0];
    const radios = subtypes.map((subtype) => {
      const id = `subtype-${type}-${subtype}`;
      return el(
        'div',
        { class: 'choice' },
        el('input', {
          type: 'radio',
          name: `subtype-${type}`,
          id,
          value: subtype,
          checked: subtype === work.subtype,
          onchange: () => {
            work.subtype = subtype;
            remember(type, work);
            render();
          },
        }),
        el('label', { for: id }, T.subtypes[subtype] || subtype),
      );
    });
    // Nothing of the customer's face is taken before they agree (the consent step).
    const face = wish.type === 'identity-proof' && (wish.faceProofRequired || wish.faceLivenessRequired);
    const agreed = !face || work.consent;
    const asked = slotsOf(wish, work.subtype);
    const slots = asked.filter((slot) => slot !== 'face-proof').map((slot) => slotField(type, slot));
    const consent = face ? consentBox(type, work) : null;
    const selfie = agreed && asked.includes('face-proof') ? slotField(type, 'face-proof') : null;
    const live = wish.type === 'identity-proof' && wish.faceLivenessRequired && agreed ? livenessBox(type) : null;
    return el(
      'form',
      {
        class: 'document-form',
        novalidate: true,
        onsubmit: (event) => {
          event.preventDefault();
          send(wish);
        },
      },
      work.retake ? retakeBox(type, work.retake) : null,
      el('fieldset', { class: 'subtypes' }, el('legend', {}, T.chooseSubtype), radios),
      slots,
      consent,
      selfie,
      live,
      work.error ? el('p', { class: 'alert', role: 'alert', id: `error-${type}`, tabindex: '-1' }, work.error) : null,
      el('button', { type: 'submit', class: 'button primary', id: `send-${type}` }, T.send),
    );
  }

  /* Before any picture of the face: what it is for, the merchant's own words when it gave
   * some, its privacy notice, and a box to tick. */
  function consentBox(type, work) {
    const brand = boot.brand || {};
    const id = `consent-${type}`;
    return el(
      'fieldset',
      { class: `consent${work.consent ? ' agreed' : ''}`, 'data-consent': work.consent ? 'given' : 'asked' },
      el('legend', {}, T.consent.title),
      el('p', { class: 'consent-text', id: `${id}-text` }, brand.consentText || T.consent.text),
      brand.privacyNoticeUrl
        ? el('p', {}, el('a', { href: brand.privacyNoticeUrl, id: `${id}-privacy`, target: '_blank', rel: 'noopener noreferrer' }, T.consent.privacy))
        : null,
      el(
        'div',
        { class: 'choice' },
        el('input', {
          type: 'checkbox',
          id,
          checked: !!work.consent,
          'aria-describedby': `${id}-text`,
          onchange: (event) => agree(type, work, event.target),
        }),
        el('label', { for: id }, T.consent.agree),
      ),
    );
  }

  /* The agreement is recorded on the server (who, when, the words' version) before the
   * selfie's picker or the face check appears; unticking hides them again. */
  async function agree(type, work, box) {
    work.error = null;
    if (!box.checked) {
      work.consent = false;
      remember(type, work);
      render();
      return;
    }
    box.disabled = true;
    try {
      await api('POST', `/storefront/kyc-requests/${boot.requestId}/consents`, { language: boot.lang, textVersion: boot.consentVersion });
      work.consent = true;
    } catch (error) {
      work.consent = false;
      work.error = problemText(error);
    }
    remember(type, work);
    render();
    const next = document.getElementById(work.consent ? `consent-${type}` : `error-${type}`);
    if (next) next.focus();
  }

  /* The quality gate refused the pictures: what to fix for each, and that no attempt was
   * used. The form stays below with the refused pictures cleared. */
  function retakeBox(type, retake) {
    const items = retake.map((hint) =>
      el('li', { 'data-hint': hint.code, 'data-slot': hint.slot }, el('strong', {}, T.slots[hint.slot] || ''), ' ', T.hints[hint.code] || hint.message),
    );
    const another = retake.every((hint) => !hint.retake);
    return el(
      'div',
      { class: 'result retake', id: `retake-${type}`, tabindex: '-1', role: 'alert' },
      el('p', { class: 'result-title' }, T.retake.title),
      el('ul', { class: 'hints' }, items),
      el('p', { class: 'attempts' }, another ? T.retake.another : T.retake.noAttempt),
    );
  }

  function chooseFile(type, slot, file) {
    const work = draft(type);
    work.files[slot] = file;
    work.error = '';
    if (work.retake) work.retake = work.retake.filter((hint) => hint.slot !== slot);
    if (work.retake && !work.retake.length) work.retake = null;
    render();
  }

  function slotField(type, slot) {
    const work = draft(type);
    const chosen = work.files[slot];
    const id = `file-${type}-${slot}`;
    const help = `help-${type}-${slot}`;
    const pick = (event) => event.target.files[0] && chooseFile(type, slot, event.target.files[0]);
    const input = el('input', {
      type: 'file',
      id,
      class: 'visually-hidden',
      accept: ACCEPT,
      'aria-describedby': help,
      'data-slot': slot,
      onchange: pick,
    });
    const parts = [
      el('p', { class: 'slot-title' }, T.slots[slot]),
      el('p', { class: 'help', id: help }, T.slotHelp[slot], ' ', el('span', { class: 'formats' }, T.formats)),
    ];
    if (phone) {
      // On a phone the camera opens directly; a file from the gallery stays possible.
      const camera = `camera-${type}-${slot}`;
      parts.push(
        el(
          'div',
          { class: 'phone-buttons' },
          el('input', {
            type: 'file',
            id: camera,
            class: 'visually-hidden',
            accept: 'image/*',
            capture: slot === 'face-proof' ? 'user' : 'environment',
            onchange: pick,
          }),
          el('label', { for: camera, class: 'button primary' }, slot === 'face-proof' ? T.takeSelfie : T.takePhoto),
          input,
          el('label', { for: id, class: 'button' }, T.chooseFile),
        ),
      );
    } else {
      const zone = el('label', { for: id, class: 'dropzone' }, T.dropHere);
      zone.addEventListener('dragover', (event) => {
        event.preventDefault();
        zone.classList.add('over');
      });
      zone.addEventListener('dragleave', () => zone.classList.remove('over'));
      zone.addEventListener('drop', (event) => {
        event.preventDefault();
        const file = event.dataTransfer.files[0];
        if (file) chooseFile(type, slot, file);
      });
      parts.push(input, zone);
    }
    if (phone && slot !== 'face-proof' && liveCamera) {
      const capture = work.capture && work.capture.slot === slot ? work.capture : null;
      if (capture) parts.push(captureBox(type, slot, capture));
      else {
        parts.splice(
          2,
          0,
          el(
            'p',
            { class: 'live-camera' },
            el('button', { type: 'button', class: 'button primary', id: `capture-open-${type}-${slot}`, onclick: () => openCamera(type, slot) }, T.capture.open),
          ),
        );
      }
    }
    if (chosen) {
      const preview = /^image\/(jpeg|png|webp)$/.test(chosen.type)
        ? el('img', { class: 'preview', alt: '', src: chosen.preview || (chosen.preview = URL.createObjectURL(chosen)) })
        : null;
      parts.push(el('p', { class: 'chosen' }, preview, fmt(T.chosen, { name: chosen.name })));
    }
    return el('div', { class: `slot${chosen ? ' filled' : ''}`, 'data-slot': slot }, parts);
  }

  /* On a computer: the same link as a QR code (drawn by the server) and as text, to take the
   * photos on a phone. This page follows the phone's progress (see follow()). */
  /* The short link (/g/{code}) is what a customer can type on a phone; the whole link
   * stays for requests made before short links existed. */
  function handoffBox() {
    const short = boot.handoff.short;
    const copy = el('button', {
      type: 'button',
      class: 'button',
      id: 'handoff-copy',
      onclick: () => {
        if (navigator.clipboard) navigator.clipboard.writeText(short || boot.handoff.link).catch(() => {});
        copy.textContent = T.handoff.copied;
      },
    }, T.handoff.copy);
    const typed = short
      ? el('a', { href: short, id: 'handoff-short' }, short.replace(/^https?:\/\//, ''))
      : el('a', { href: boot.handoff.link, id: 'handoff-link' }, boot.handoff.link);
    return el(
      'section',
      { class: 'handoff', 'aria-labelledby': 'handoff-title' },
      el('h2', { id: 'handoff-title' }, T.handoff.title),
      el('p', {}, T.handoff.text),
      el('img', { src: boot.handoff.qr, alt: T.handoff.qrTitle, id: 'handoff-qr', width: '148', height: '148' }),
      el('p', { class: 'handoff-link' }, short ? T.handoff.short : T.handoff.link, ' ', typed),
      el('p', {}, copy),
    );
  }

  function donePanel() {
    const info = request.status === 'fulfilled' ? 'success' : request.status === 'partial' ? 'partial' : 'manual';
    // A request that failed (or a type out of attempts) is said plainly, never "All done".
    const failed = request.status === 'failed' || wanted().some((w) => progressOf(w).status === 'failed');
    return el(
      'section',
      { class: `done${failed ? ' failed' : ''}`, 'aria-labelledby': 'done-title', 'data-state': failed ? 'failed' : info },
      el('h2', { id: 'done-title', tabindex: '-1' }, failed ? T.done.failedTitle : T.done.title),
      el('p', { class: 'done-text', 'data-info': info }, failed ? T.done.failed : T.done[info]),
      el('p', {}, el('a', { class: 'button primary', id: 'continue', href: boot.leave.done }, T.done.continue)),
      el('p', { class: 'help', id: 'done-help' }, !boot.hasRedirect ? T.done.close : leaving === 'stopped' ? T.done.stayed : T.done.auto),
      boot.hasRedirect && leaving !== 'stopped'
        ? el('p', {}, el('button', { type: 'button', class: 'button', id: 'stay', onclick: stay }, T.done.stay))
        : null,
    );
  }

  function stay() {
    clearTimeout(leaving);
    leaving = 'stopped';
    render();
    const help = document.getElementById('done-help');
    if (help) help.setAttribute('role', 'status');
  }

  // -- actions ------------------------------------------------------------------------

  function setBusy(type, work) {
    busy[type] = work;
    const box = document.getElementById(`progress-${type}`);
    if (box && work) box.replaceWith(progressBox(type));
    else render();
  }

  async function send(wish) {
    const type = wish.type;
    const work = draft(type);
    const slots = slotsOf(wish, work.subtype);
    const live = wish.faceLivenessRequired && type === 'identity-proof';
    if (slots.some((slot) => !work.files[slot]) || (live && !(work.liveness && work.liveness.fileId))) {
      work.error = T.missing;
      render();
      return;
    }
    work.retake = null;
    const sent = {};
    try {
      setBusy(type, { phase: 'preparing' });
      const fileIds = [];
      for (const slot of slots) {
        const file = await downscaled(work.files[slot]);
        const tags = type === 'identity-proof' ? ['kyc', slot] : ['kyc'];
        setBusy(type, { phase: 'uploading', percent: 0 });
        const id = await upload(file, tags, (percent) => setBusy(type, { phase: 'uploading', percent }));
        fileIds.push(id);
        sent[id] = slot;
      }
      if (live) {
        fileIds.push(work.liveness.fileId);
        sent[work.liveness.fileId] = 'face-proof';
      }
      setBusy(type, { phase: 'checking' });
      let document_ = await api('POST', 'storefront/kyc-documents', {
        documentType: type,
        documentSubtype: work.subtype,
        fileIds,
      });
      const polling = Date.now();
      const deadline = polling + 180000;
      while (document_.status === 'in-progress' && Date.now() < deadline) {
        await sleep(pollDelay(polling));
        document_ = await api('GET', `storefront/kyc-documents/${document_.id}`);
      }
      drafts[type] = null;
      forget(type);
      busy[type] = null;
      await load();
    } catch (error) {
      busy[type] = null;
      if (error.slug === 'retake-needed') refused(work, sent, error.problem.hints || []);
      else work.error = problemText(error);
      await load().catch(() => {});
    }
    render();
    const target =
      document.getElementById(`retake-${type}`) ||
      document.getElementById(`error-${type}`) ||
      document.getElementById(`result-${type}`) ||
      document.getElementById('done-title');
    if (target) target.focus();
  }

  /* The gate's hints name the files sent; each goes back to the picture it came from,
   * which is cleared for a new photo (a passed face check is kept). */
  function refused(work, sent, hints) {
    work.retake = hints.map((hint) => ({
      slot: sent[hint.fileId] || '',
      code: hint.code,
      message: hint.message,
      retake: hint.retake !== false,
    }));
    for (const hint of work.retake) if (hint.slot !== 'face-proof' || !work.liveness) delete work.files[hint.slot];
  }

  // -- live capture -------------------------------------------------------------------

  /* The camera in the page: a frame to put the document in, checks on the device (light,
   * sharpness, a steady hand) several times a second, and the photo taken by itself once
   * they hold for a second; then "use this photo" or "retake". Nothing leaves the device
   * until the customer sends. The camera app and a file stay available. */
  const liveCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  // Sharpness is how steep the edges are (Laplacian over gradient where there are edges):
  // about 0.8 for a sharp document at 480 px, 0.4 for one blurred by 3 px, whatever its
  // contrast or how much text it has.
  const CAPTURE = { tick: 250, steady: 4, dark: 60, bright: 235, sharp: 0.55, shake: 12, side: 480, edge: 20 };
  // The four corners inside the picture: the outer 3 % of the whole picture, at 192 px, must
  // show the desk around the document, not the document itself (print, its photo, its edge
  // running along the side): at most 1.5 % of a side's band may be an edge. A cut document
  // is refused by the server's gate too (cut-off); this spares the customer the round trip.
  const CORNERS = { side: 192, band: 0.03, edges: 0.015, edge: 40 };

  async function openCamera(type, slot) {
    const work = draft(type);
    closeCamera(work);
    const capture = (work.capture = { slot, phase: 'starting', status: 'starting', good: 0, looks: 0 });
    render();
    try {
      capture.stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment', width: { ideal: 1920 }, height: { ideal: 1080 } },
        audio: false,
      });
    } catch {
      capture.phase = 'no-camera';
      render();
      return;
    }
    capture.video = el('video', { class: 'viewfinder-video', autoplay: true, playsinline: true, 'aria-hidden': 'true' });
    capture.video.muted = true;
    capture.video.srcObject = capture.stream;
    capture.phase = 'live';
    render();
    await capture.video.play().catch(() => {});
    capture.timer = setInterval(() => watch(type, capture), CAPTURE.tick);
  }

  function closeCamera(work) {
    const capture = work.capture;
    if (!capture) return;
    if (capture.timer) clearInterval(capture.timer);
    if (capture.stream) capture.stream.getTracks().forEach((track) => track.stop());
    if (capture.url) URL.revokeObjectURL(capture.url);
    work.capture = null;
  }

  /* What the camera shows inside the frame, small and grey: mean light, sharpness (see
   * CAPTURE) and how much it moved since the last look. */
  function measure(video, previous) {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    const side = CAPTURE.side;
    const crop = { x: width * 0.08, y: height * 0.12, w: width * 0.84, h: height * 0.76 };
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = Math.round((side * crop.h) / crop.w);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, crop.x, crop.y, crop.w, crop.h, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const grey = new Float32Array(canvas.width * canvas.height);
    let light = 0;
    for (let i = 0; i < grey.length; i += 1) {
      grey[i] = 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2];
      light += grey[i];
    }
    let steep = 0;
    let slope = 0;
    let moved = 0;
    const w = canvas.width;
    for (let y = 1; y < canvas.height - 1; y += 1) {
      for (let x = 1; x < w - 1; x += 1) {
        const i = y * w + x;
        const gradient = Math.abs(grey[i + 1] - grey[i - 1]) + Math.abs(grey[i + w] - grey[i - w]);
        if (gradient > CAPTURE.edge) {
          slope += gradient;
          steep += Math.abs(4 * grey[i] - grey[i - 1] - grey[i + 1] - grey[i - w] - grey[i + w]);
        }
      }
    }
    if (previous && previous.length === grey.length) {
      for (let i = 0; i < grey.length; i += 1) moved += Math.abs(grey[i] - previous[i]);
      moved /= grey.length;
    }
    return { grey, light: light / grey.length, sharp: slope ? steep / slope : 0, moved: previous ? moved : Infinity };
  }

  /* Which sides of the whole picture the document runs into (print or edges in the band
   * along that side); none when all four corners are inside. */
  function cutSides(video) {
    const width = video.videoWidth;
    const height = video.videoHeight;
    const canvas = document.createElement('canvas');
    canvas.width = CORNERS.side;
    canvas.height = Math.max(8, Math.round((CORNERS.side * height) / width));
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const w = canvas.width;
    const h = canvas.height;
    const grey = (x, y) => {
      const i = 4 * (y * w + x);
      return 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    };
    const edge = (x, y) =>
      Math.abs(grey(x + 1, y) - grey(x - 1, y)) + Math.abs(grey(x, y + 1) - grey(x, y - 1)) > CORNERS.edge;
    const band = Math.max(2, Math.round(CORNERS.band * Math.min(w, h)));
    const sides = {
      left: [1, band, 1, h - 1],
      right: [w - 1 - band, w - 1, 1, h - 1],
      top: [1, w - 1, 1, band],
      bottom: [1, w - 1, h - 1 - band, h - 1],
    };
    const cut = [];
    for (const [side, [x0, x1, y0, y1]] of Object.entries(sides)) {
      let edges = 0;
      let all = 0;
      for (let y = y0; y < y1; y += 1) {
        for (let x = x0; x < x1; x += 1) {
          edges += edge(x, y) ? 1 : 0;
          all += 1;
        }
      }
      if (all && edges / all > CORNERS.edges) cut.push(side);
    }
    return cut;
  }

  function verdict(seen) {
    if (seen.light < CAPTURE.dark) return 'dark';
    if (seen.light > CAPTURE.bright) return 'bright';
    if (seen.moved > CAPTURE.shake) return 'steady';
    if (seen.cut.length) return 'corners';
    if (seen.sharp < CAPTURE.sharp) return 'blur';
    return 'good';
  }

  function watch(type, capture) {
    if (capture.phase !== 'live' || draft(type).capture !== capture) return;
    const seen = measure(capture.video, capture.previous);
    if (!seen) return;
    seen.cut = cutSides(capture.video);
    capture.previous = seen.grey;
    const status = verdict(seen);
    capture.good = status === 'good' ? capture.good + 1 : 0;
    capture.status = status;
    capture.looks += 1;
    const line = document.getElementById(`capture-status-${type}`);
    if (line) {
      line.dataset.status = status;
      line.dataset.sharpness = seen.sharp.toFixed(2);
      line.dataset.brightness = seen.light.toFixed(0);
      line.dataset.looks = String(capture.looks);
      line.dataset.cut = seen.cut.join(' ');
      const text = capture.good > 0 ? T.capture.holding : T.capture.status[status];
      if (line.textContent !== text) line.textContent = text;
    }
    if (capture.good >= CAPTURE.steady) take(type, capture);
  }

  async function take(type, capture) {
    if (capture.phase !== 'live') return;
    capture.phase = 'taking';
    clearInterval(capture.timer);
    const video = capture.video;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    capture.blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
    capture.stream.getTracks().forEach((track) => track.stop());
    capture.url = URL.createObjectURL(capture.blob);
    capture.phase = 'review';
    render();
    const use = document.getElementById(`capture-use-${type}`);
    if (use) use.focus();
  }

  function useCapture(type, capture) {
    const file = new File([capture.blob], `camera-${capture.slot}.jpg`, { type: 'image/jpeg' });
    const work = draft(type);
    capture.url = null; // the preview of the chosen file takes it over
    closeCamera(work);
    chooseFile(type, capture.slot, file);
  }

  function captureBox(type, slot, capture) {
    const nodes = [];
    if (capture.phase === 'no-camera') {
      nodes.push(el('p', { class: 'alert', role: 'alert' }, T.capture.noCamera));
    } else if (capture.phase === 'review') {
      nodes.push(
        el('img', { class: 'captured', src: capture.url, alt: T.capture.taken, id: `capture-photo-${type}` }),
        el(
          'p',
          { class: 'capture-buttons' },
          el('button', { type: 'button', class: 'button primary', id: `capture-use-${type}`, onclick: () => useCapture(type, capture) }, T.capture.use),
          ' ',
          el('button', { type: 'button', class: 'button', id: `capture-retake-${type}`, onclick: () => openCamera(type, slot) }, T.capture.retake),
        ),
      );
    } else {
      const shape = slot === 'document' ? 'page' : 'card';
      nodes.push(
        el('div', { class: 'viewfinder' }, capture.video || null, el('div', { class: `frame frame-${shape}`, 'aria-hidden': 'true' })),
        el('p', { class: 'capture-status', id: `capture-status-${type}`, 'aria-live': 'polite', 'data-status': capture.status }, T.capture.status[capture.status] || T.capture.status.starting),
        el(
          'p',
          { class: 'capture-buttons' },
          el('button', { type: 'button', class: 'button', id: `capture-take-${type}`, onclick: () => take(type, capture) }, T.capture.takeNow),
          ' ',
          el('button', { type: 'button', class: 'button', id: `capture-cancel-${type}`, onclick: () => { closeCamera(draft(type)); render(); } }, T.capture.cancel),
        ),
      );
    }
    return el('div', { class: 'capture', 'data-capture': capture.phase }, nodes);
  }

  // -- liveness -----------------------------------------------------------------------

  function livenessBox(type) {
    const live = draft(type).liveness || { phase: 'idle' };
    const nodes = [el('p', { class: 'slot-title' }, T.liveness.title)];
    if (live.phase === 'idle' || live.phase === 'no-camera' || live.phase === 'failed') {
      nodes.push(el('p', { class: 'help' }, T.liveness.intro));
      if (live.phase === 'no-camera') nodes.push(el('p', { class: 'alert', role: 'alert' }, T.liveness.noCamera));
      if (live.phase === 'failed') {
        nodes.push(
          el(
            'p',
            { class: 'alert', role: 'alert', 'data-reason': live.reason || '' },
            T.liveness.failed,
            ' ',
            T.liveness.reasons[live.reason] || '',
          ),
        );
      }
      nodes.push(
        el(
          'button',
          { type: 'button', class: 'button', id: `liveness-${type}`, onclick: () => runLiveness(type) },
          live.phase === 'idle' ? T.liveness.start : T.liveness.retry,
        ),
      );
    } else if (live.phase === 'running' || live.phase === 'starting') {
      const pose = live.pose || 'get-ready';
      const text = live.pose ? instruction(live.pose) : T.liveness['get-ready'];
      const counter = live.step ? fmt(T.liveness.stepOf, { n: live.step, total: live.total }) : '';
      nodes.push(
        el(
          'div',
          { class: 'camera' },
          live.video || null,
          el('div', { class: 'oval', 'aria-hidden': 'true' }),
        ),
        el('p', { class: 'step-counter', id: `step-counter-${type}` }, counter),
        el('p', { class: 'instruction', id: `instruction-${type}`, 'data-liveness-step': pose, 'aria-live': 'assertive' }, text),
      );
    } else if (live.phase === 'sending' || live.phase === 'checking') {
      nodes.push(el('p', { class: 'progress-text', role: 'status' }, T.liveness[live.phase]));
    } else if (live.phase === 'passed') {
      nodes.push(el('p', { class: 'result ok', id: `liveness-passed-${type}` }, T.liveness.passed));
    }
    return el('div', { class: `slot liveness${live.phase === 'passed' ? ' filled' : ''}`, 'data-slot': 'liveness' }, nodes);
  }

  // A short moving cue beside each instruction (still when the customer asks for less motion).
  const POSE_CUES = { centre: '◎', 'turn-left': '⟵', 'turn-right': '⟶', 'tilt-left': '↶', 'tilt-right': '↷' };

  function instruction(pose) {
    return [el('span', { class: 'arrow', 'aria-hidden': 'true' }, POSE_CUES[pose] || ''), T.liveness.steps[pose]];
  }

  function showPose(type, pose, step, total) {
    const live = draft(type).liveness;
    live.pose = pose;
    live.step = step;
    live.total = total;
    const line = document.getElementById(`instruction-${type}`);
    const counter = document.getElementById(`step-counter-${type}`);
    if (line && counter) {
      line.dataset.livenessStep = pose;
      line.replaceChildren(...instruction(pose));
      counter.textContent = fmt(T.liveness.stepOf, { n: step, total });
    } else {
      render();
    }
  }

  function grab(video) {
    const width = 480;
    const height = Math.round((video.videoHeight / video.videoWidth) * width) || 360;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    canvas.getContext('2d').drawImage(video, 0, 0, width, height);
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  }

  async function sendFrame(sessionId, step, blob) {
    const response = await fetch(`${boot.api}storefront/kyc-liveness-sessions/${sessionId}/frames?step=${step}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${boot.token}`, 'Content-Type': 'image/jpeg' },
      body: blob,
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new ApiError(response.status, data);
    }
  }

  async function runLiveness(type) {
    const work = draft(type);
    const live = (work.liveness = { phase: 'starting' });
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
    } catch {
      live.phase = 'no-camera';
      render();
      return;
    }
    const stop = () => stream.getTracks().forEach((track) => track.stop());
    try {
      live.video = el('video', { class: 'mirror', autoplay: true, playsinline: true, 'aria-hidden': 'true' });
      live.video.muted = true;
      live.video.srcObject = stream;
      render();
      const session = await api('POST', 'storefront/kyc-liveness-sessions', { kycRequestId: request.id });
      live.phase = 'running';
      render();
      await live.video.play().catch(() => {});
      while (live.video.readyState < 2) await sleep(50);
      const sent = [];
      for (let step = 0; step < session.challenge.length; step += 1) {
        showPose(type, session.challenge[step], step + 1, session.challenge.length);
        await sleep(step === 0 ? 1000 : 900);
        for (let shot = 0; shot < 3; shot += 1) {
          const blob = await grab(live.video);
          sent.push(sendFrame(session.id, step, blob));
          await sleep(300);
        }
      }
      stop();
      live.video = null;
      live.phase = 'sending';
      render();
      await Promise.all(sent);
      let checked = await api('POST', `storefront/kyc-liveness-sessions/${session.id}/finish`);
      live.phase = 'checking';
      render();
      const polling = Date.now();
      const deadline = polling + 120000;
      while (checked.status === 'pending' && Date.now() < deadline) {
        await sleep(pollDelay(polling));
        checked = await api('GET', `storefront/kyc-liveness-sessions/${session.id}`);
      }
      if (checked.status === 'succeeded') {
        live.phase = 'passed';
        live.fileId = checked.referenceFileId;
        remember(type, work);
      } else {
        live.phase = 'failed';
        live.reason = checked.status === 'pending' ? 'timeout' : checked.failureReason;
      }
    } catch (error) {
      live.phase = 'failed';
      live.reason = '';
      work.error = problemText(error);
    } finally {
      stop();
      live.video = null;
    }
    render();
    const next = document.getElementById(`send-${type}`);
    if (next && live.phase === 'passed') next.focus();
  }

  // -- start --------------------------------------------------------------------------

  // The merchant's colour (checked for contrast with white text when it was set).
  if (boot.brand && boot.brand.primaryColor) document.documentElement.style.setProperty('--accent', boot.brand.primaryColor);

  const language = document.getElementById('language');
  if (language) language.addEventListener('change', () => language.form.submit());

  /* Another device (the phone the customer continued on) may send documents: look again
   * every few seconds while this page is idle, and show what changed. */
  const signature = () => JSON.stringify([request.status, documents.map((d) => [d.id, d.status])]);
  async function follow() {
    const idle = !Object.values(busy).some(Boolean) && !Object.values(drafts).some((d) => d && (d.capture || (d.liveness && d.liveness.phase !== 'passed' && d.liveness.phase !== 'idle')));
    if (idle && request && !PERMANENT.includes(request.status)) {
      const before = signature();
      try {
        await load();
      } catch {
        return;
      }
      if (signature() !== before) render();
    }
  }

  load()
    .then(() => {
      render();
      setInterval(follow, 3000);
    })
    .catch((error) => {
      app.replaceChildren(el('p', { class: 'alert', role: 'alert' }, problemText(error)));
    });
})();
