element.addEventListener('click', (ev) => {
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
