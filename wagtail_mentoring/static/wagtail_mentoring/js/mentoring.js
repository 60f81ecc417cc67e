// Front-end behaviour of wagtail_mentoring; every page works without it.
//
// A visit that counts (opening a journey step, reading a message thread) is
// recorded with a POST of the page's own form, so that no GET changes
// anything and a cross-site link or image cannot record it.
// The form's own action attribute, not ``form.action``: the form has an input
// named "action", which that property would return instead.
document.querySelectorAll("form[data-wm-record-visit]").forEach((form) => {
  fetch(form.getAttribute("action") || window.location.href, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  }).then((response) => {
    if (response.ok) form.remove();
  });
});
