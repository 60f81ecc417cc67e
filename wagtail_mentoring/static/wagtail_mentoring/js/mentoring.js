// Front-end behaviour of wagtail_mentoring; every page works without it.
//
// A visit that counts (opening a journey step, reading a message thread) is
// recorded with a POST of the page's own form, so that no GET changes
// anything and a cross-site link or image cannot record it.
document.querySelectorAll("form[data-wm-record-visit]").forEach((form) => {
  // Not form.action: the form's own "action" field shadows it. No action
  // attribute means this page's address, as for a submitted form.
  fetch(form.getAttribute("action") || window.location.href, {
    method: "POST",
    body: new FormData(form),
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  }).then((response) => {
    if (response.ok) form.remove();
  });
});
