() => {
  for (const ms of [60, 300, 900]) setTimeout(() => {
    const f = document.querySelector('#ps-docview .ps-focus');
    if (f && f.offsetParent !== null) f.scrollIntoView({block: 'center'});
  }, ms);
}
