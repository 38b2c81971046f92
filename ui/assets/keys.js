() => {
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
    const map = {a: 'ps-accept', r: 'ps-reject', n: 'ps-skip', s: 'ps-skip', d: 'ps-add', u: 'ps-undo'};
    const id = map[ev.key.toLowerCase()];
    if (!id) return;
    const btn = document.getElementById(id);
    if (btn && btn.offsetParent !== null) { ev.preventDefault(); btn.click(); }
  });
}
