// photolab review desk: the photo viewer (runs as gr.HTML js_on_load: `element`, `trigger`, `watch`).
// The server renders the markup (photo, boxes, grouped list) from the session; this script only keeps
// the view (zoom, pan, selection, add mode) across re-renders and sends one small command per action:
// trigger('edit', {op, ids, ...}) and trigger('tile', {x, y, w, h, layer}) for full resolution on demand.
const S = element._plv || (element._plv = {
  zoom: 1, cx: null, cy: null, selected: '', serverSelected: '', adding: false, corner: null,
  bright: true, after: true, item: '', tileKey: '', timer: null, drag: null,
});
const q = (sel) => element.querySelector(sel);
const qa = (sel) => Array.from(element.querySelectorAll(sel));
const root = () => q('.plv');
const num = (name) => Number(root().dataset[name]);
const say = (key, extra) => {
  const live = q('.plv-live');
  if (!live) return;
  const words = JSON.parse(root().dataset.i18n || '{}');
  live.textContent = (words[key] || key) + (extra ? ' ' + extra : '');
};
const visibleIds = () => qa('.plv-area').map((b) => b.dataset.id);

function fitted() {
  const stage = q('.plv-stage');
  const w = num('w'), h = num('h');
  const k = Math.min(stage.clientWidth / w, stage.clientHeight / h);
  return {k, stage};
}

function layout() {
  const r = root();
  if (!r) return;
  const {k, stage} = fitted();
  const w = num('w'), h = num('h');
  if (S.cx === null) { S.cx = w / 2; S.cy = h / 2; }
  const scale = k * S.zoom;  // CSS px per full-size px
  const canvas = q('.plv-canvas');
  canvas.style.width = `${w * scale}px`;
  canvas.style.height = `${h * scale}px`;
  const left = place(stage.clientWidth, w * scale, stage.clientWidth / 2 - S.cx * scale);
  const top = place(stage.clientHeight, h * scale, stage.clientHeight / 2 - S.cy * scale);
  S.cx = (stage.clientWidth / 2 - left) / scale;  // the centre after clamping, so panning never drifts
  S.cy = (stage.clientHeight / 2 - top) / scale;
  canvas.style.transform = `translate(${left}px, ${top}px)`;
  const bright = q('.plv-bright');
  if (bright) bright.style.visibility = S.bright ? 'visible' : 'hidden';
  const after = q('.plv-after');
  if (after) after.style.visibility = S.after ? 'visible' : 'hidden';
  qa('.plv-tile').forEach((t) => { t.style.visibility = t.dataset.layer === layerShown() ? 'visible' : 'hidden'; });
  qa('[data-action="bright"]').forEach((b) => b.setAttribute('aria-pressed', String(S.bright)));
  qa('[data-action="swap"]').forEach((b) => b.setAttribute('aria-pressed', String(S.after)));
  qa('[data-action="add"]').forEach((b) => b.setAttribute('aria-pressed', String(S.adding)));
  r.classList.toggle('adding', S.adding);
  scheduleTile();
}

function layerShown() {
  if (q('.plv-after') && S.after) return 'after';
  return q('.plv-bright') && S.bright ? 'bright' : 'before';
}

function place(stageSize, canvasSize, offset) {
  if (canvasSize <= stageSize) return (stageSize - canvasSize) / 2;  // smaller: centred
  return Math.min(0, Math.max(stageSize - canvasSize, offset));  // larger: no empty margin
}

function select(id, {focus = false, centre = false} = {}) {
  S.selected = id || '';
  qa('.plv-box').forEach((g) => g.classList.toggle('sel', g.dataset.id === S.selected));
  qa('.plv-row').forEach((row) => row.classList.toggle('sel', row.dataset.id === S.selected));
  qa('.plv-area').forEach((b) => {
    const mine = b.dataset.id === S.selected;
    b.tabIndex = mine || (!S.selected && b === q('.plv-area')) ? 0 : -1;
    if (mine) b.setAttribute('aria-current', 'true'); else b.removeAttribute('aria-current');
  });
  qa('.plv-del').forEach((b) => { b.tabIndex = b.dataset.id === S.selected ? 0 : -1; });
  const button = q(`.plv-area[data-id="${CSS.escape(S.selected)}"]`);
  if (button) {
    button.scrollIntoView({block: 'nearest'});
    if (focus) button.focus({preventScroll: true});
  }
  const box = q(`.plv-box[data-id="${CSS.escape(S.selected)}"] rect`);
  if (box && centre) {
    S.cx = Number(box.getAttribute('x')) + Number(box.getAttribute('width')) / 2;
    S.cy = Number(box.getAttribute('y')) + Number(box.getAttribute('height')) / 2;
    if (S.zoom < 2) S.zoom = Math.min(4, Math.max(2, num('w') / Math.max(40, 6 * Number(box.getAttribute('width')))));
    layout();
  }
}

function step(delta) {
  const ids = visibleIds();
  if (!ids.length) return;
  const at = ids.indexOf(S.selected);
  const next = ids[(at < 0 ? (delta > 0 ? 0 : ids.length - 1) : (at + delta + ids.length) % ids.length)];
  select(next, {focus: true, centre: true});
}

function zoomBy(factor, px, py) {
  const {k, stage} = fitted();
  const before = k * S.zoom;
  const max = Math.max(8, 4 / k);
  S.zoom = Math.min(max, Math.max(1, S.zoom * factor));
  if (px !== undefined) {  // keep the point under the pointer in place
    const after = k * S.zoom;
    S.cx += (px - stage.clientWidth / 2) * (1 / before - 1 / after);
    S.cy += (py - stage.clientHeight / 2) * (1 / before - 1 / after);
  }
  layout();
  say('zoom', `${Math.round(S.zoom * 100)}%`);
}

function actualSize() {
  const {k} = fitted();
  S.zoom = Math.max(1, 1 / k);
  layout();
}

function pan(dx, dy) {
  const {k} = fitted();
  S.cx += dx / (k * S.zoom);
  S.cy += dy / (k * S.zoom);
  layout();
}

function toFull(event) {
  const rect = q('.plv-canvas').getBoundingClientRect();
  return [(event.clientX - rect.left) / rect.width * num('w'), (event.clientY - rect.top) / rect.height * num('h')];
}

function scheduleTile() {
  clearTimeout(S.timer);
  S.timer = setTimeout(requestTile, 350);
}

function requestTile() {
  const r = root();
  if (!r) return;
  const {k, stage} = fitted();
  const scale = k * S.zoom;
  if (scale <= num('scale') * 1.1) return;  // the preview is already sharp enough
  const w = num('w'), h = num('h');
  const vw = stage.clientWidth / scale, vh = stage.clientHeight / scale;
  const x = Math.max(0, Math.round(S.cx - vw / 2)), y = Math.max(0, Math.round(S.cy - vh / 2));
  const box = [x, y, Math.min(w - x, Math.round(vw)), Math.min(h - y, Math.round(vh))];
  const layer = layerShown();
  const key = box.join(',') + layer;
  if (key === S.tileKey) return;
  S.tileKey = key;
  trigger('tile', {x: box[0], y: box[1], w: box[2], h: box[3], layer});
}

function edit(command) {
  trigger('edit', command);
}

function toggleSelected() {
  if (!S.selected) return;
  const row = q(`.plv-row[data-id="${CSS.escape(S.selected)}"]`);
  edit({op: 'toggle', ids: [S.selected]});
  say(row && row.classList.contains('on') ? 'shown' : 'hidden');
}

function startAdd(on) {
  S.adding = on === undefined ? !S.adding : on;
  S.corner = null;
  draft(null);
  layout();
  if (S.adding) say('need_two_clicks');
}

function draft(rect) {
  const d = q('.plv-draft');
  if (!d) return;
  const [x, y, w, h] = rect || [0, 0, 0, 0];
  d.setAttribute('x', x); d.setAttribute('y', y); d.setAttribute('width', w); d.setAttribute('height', h);
}

function corner(event) {
  const [x, y] = toFull(event);
  if (!S.corner) {
    S.corner = [x, y];
    draft([x, y, 1, 1]);
    say('first_corner', `${Math.round(x)}, ${Math.round(y)}`);
    return;
  }
  const [x0, y0] = S.corner;
  const kind = (q('[data-role="add-kind"]') || {}).value || 'other';
  S.corner = null;
  S.adding = false;
  edit({op: 'add', box: [Math.min(x0, x), Math.min(y0, y), Math.abs(x - x0), Math.abs(y - y0)], kind});
  say('added');
}

function onClick(event) {
  const action = event.target.closest('[data-action]');
  if (action) {
    const a = action.dataset.action;
    if (a === 'zoom-in') zoomBy(1.5);
    else if (a === 'zoom-out') zoomBy(1 / 1.5);
    else if (a === 'fit') { S.zoom = 1; layout(); }
    else if (a === 'actual') actualSize();
    else if (a === 'bright') { S.bright = !S.bright; S.tileKey = ''; layout(); }
    else if (a === 'swap') { S.after = !S.after; S.tileKey = ''; layout(); }
    else if (a === 'add') startAdd();
    else if (a === 'delete') { edit({op: 'delete', ids: [action.dataset.id]}); say('deleted'); }
    else if (a === 'group-on' || a === 'group-off') edit({op: 'group', group: action.dataset.group, on: a === 'group-on'});
    return;
  }
  const area = event.target.closest('.plv-area');
  if (area) {
    if (S.selected === area.dataset.id) toggleSelected();
    else select(area.dataset.id, {focus: true, centre: true});
    return;
  }
  if (!event.target.closest('.plv-stage') || S.dragged) return;
  if (S.adding) { corner(event); return; }
  const box = event.target.closest('.plv-box');
  if (box) select(box.dataset.id, {focus: false});
}

function onKey(event) {
  if (event.target.closest('input, select, textarea') || event.ctrlKey || event.metaKey || event.altKey) return;
  const k = event.key;
  const handled = {
    'j': () => step(1), 'ArrowDown': () => step(1), 'k': () => step(-1), 'ArrowUp': () => step(-1),
    ' ': toggleSelected, 'x': toggleSelected, 'Enter': () => select(S.selected, {centre: true}),
    'Delete': () => S.selected && (edit({op: 'delete', ids: [S.selected]}), say('deleted')),
    'Backspace': () => S.selected && (edit({op: 'delete', ids: [S.selected]}), say('deleted')),
    'a': () => startAdd(), 'Escape': () => startAdd(false), '+': () => zoomBy(1.5), '=': () => zoomBy(1.5),
    '-': () => zoomBy(1 / 1.5), '0': () => { S.zoom = 1; layout(); }, '1': actualSize,
    'b': () => q('.plv-bright') && (S.bright = !S.bright, S.tileKey = '', layout()),
    'c': () => q('.plv-after') && (S.after = !S.after, S.tileKey = '', layout()),
    'ArrowLeft': () => pan(-80, 0), 'ArrowRight': () => pan(80, 0),
    'h': () => {
      const row = q(`.plv-row[data-id="${CSS.escape(S.selected)}"]`);
      const group = row && row.closest('.plv-group');
      if (group) edit({op: 'group', group: group.dataset.group, on: true});
    },
  }[k === 'J' || k === 'K' || k === 'A' || k === 'B' || k === 'C' || k === 'H' || k === 'X' ? k.toLowerCase() : k];
  if (k.startsWith('Arrow') && event.shiftKey) {
    pan(k === 'ArrowLeft' ? -200 : k === 'ArrowRight' ? 200 : 0, k === 'ArrowUp' ? -200 : k === 'ArrowDown' ? 200 : 0);
    event.preventDefault();
    return;
  }
  if (handled) { handled(); event.preventDefault(); }
}

function onPointerDown(event) {
  if (!event.target.closest('.plv-stage') || S.adding || event.button !== 0) return;
  S.drag = {x: event.clientX, y: event.clientY};
  S.dragged = false;
}

function onPointerMove(event) {
  if (S.adding && S.corner && event.target.closest('.plv-stage')) {
    const [x, y] = toFull(event);
    const [x0, y0] = S.corner;
    draft([Math.min(x0, x), Math.min(y0, y), Math.abs(x - x0), Math.abs(y - y0)]);
  }
  if (!S.drag) return;
  const dx = event.clientX - S.drag.x, dy = event.clientY - S.drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 4) S.dragged = true;
  if (S.dragged && S.zoom > 1) { pan(-dx, -dy); S.drag = {x: event.clientX, y: event.clientY}; }
}

function onPointerUp() {
  S.drag = null;
  setTimeout(() => { S.dragged = false; }, 0);
}

function onWheel(event) {
  if (!event.target.closest('.plv-stage')) return;
  event.preventDefault();
  const rect = q('.plv-stage').getBoundingClientRect();
  zoomBy(event.deltaY < 0 ? 1.25 : 0.8, event.clientX - rect.left, event.clientY - rect.top);
}

function refresh() {
  const r = root();
  if (!r) return;
  if (r.dataset.item !== S.item) {  // another photo: start from the whole photo
    Object.assign(S, {item: r.dataset.item, zoom: 1, cx: null, cy: null, selected: '', adding: false,
                      corner: null, bright: true, after: true, tileKey: ''});
  }
  const wanted = r.dataset.selected;
  if (wanted && wanted !== S.serverSelected) S.selected = wanted;
  S.serverSelected = wanted;
  if (S.selected && !visibleIds().includes(S.selected)) S.selected = '';
  layout();
  select(S.selected, {focus: false});
  if (S.hadFocus && !element.contains(document.activeElement)) {  // the re-render replaced the focused node
    const target = S.selected ? q(`.plv-area[data-id="${CSS.escape(S.selected)}"]`) : null;
    (target || q('.plv-stage')).focus({preventScroll: true});
  }
}

if (!element._plvBound) {
  element._plvBound = true;
  element.addEventListener('click', onClick);
  element.addEventListener('keydown', onKey);
  element.addEventListener('pointerdown', onPointerDown);
  window.addEventListener('pointermove', onPointerMove);
  window.addEventListener('pointerup', onPointerUp);
  element.addEventListener('wheel', onWheel, {passive: false});
  element.addEventListener('focusin', () => { S.hadFocus = true; });
  // A key pressed while a re-render has just replaced the focused node lands on <body>: still ours.
  document.addEventListener('keydown', (e) => {
    if (S.hadFocus && (document.activeElement === document.body || !document.activeElement)) onKey(e);
  });
  element.addEventListener('focusout', (e) => {
    if (e.relatedTarget && !element.contains(e.relatedTarget)) S.hadFocus = false;  // focus moved away
  });
  new ResizeObserver(() => layout()).observe(element);
}
refresh();
watch('value', refresh);
