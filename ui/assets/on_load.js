element.addEventListener('click', (ev) => {
  // "Copy citation": the text is in the button's data-copy; copied here, with no round trip to Python.
  const copy = ev.target.closest('[data-copy]');
  if (copy && element.contains(copy)) {
    ev.preventDefault();
    const text = copy.dataset.copy;
    const done = () => {
      copy.classList.add('ps-copied');
      copy.textContent = 'Copied ✓';
      setTimeout(() => { copy.classList.remove('ps-copied'); copy.textContent = 'Copy citation'; }, 1500);
    };
    const fallback = () => {
      // navigator.clipboard needs a secure context (https or localhost); elsewhere select-and-copy still works.
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      try { document.execCommand('copy'); done(); } finally { area.remove(); }
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
    return;
  }
  const el = ev.target.closest('[data-action]');
  if (!el || !element.contains(el)) return;
  ev.preventDefault();
  trigger('click', Object.assign({}, el.dataset));
});
watch('value', () => {
  // The document tab may still be hidden when the value lands: retry once it is laid out.
  for (const ms of [50, 300, 800]) setTimeout(() => {
    const f = element.querySelector('.ps-focus');
    if (f && f.offsetParent !== null) f.scrollIntoView({block: 'center'});
  }, ms);
});
