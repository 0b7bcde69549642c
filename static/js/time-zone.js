// The official's time zone, as their browser knows it, remembered on their account
// (accounts:time_zone) so that every time the portal shows them, on its pages and in
// its messages, is in that zone and names it. Posted only when it differs from the
// stored one (body data-time-zone), and once per tab: a zone the server refuses is
// not sent again on every page.
// The data sit on <body> on the officials' pages and, where the admin's base owns <body>
// (the reviewers' submissions list), on an element of the page.
(function () {
  "use strict";
  var body = document.querySelector("[data-time-zone-url]");
  var url = body ? body.dataset.timeZoneUrl : "";
  if (!url || !window.Intl || !window.fetch || !window.FormData) {
    return;
  }
  var detected = "";
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if (!detected || detected === body.dataset.timeZone) {
    return;
  }
  var TRIED = "msq-time-zone-sent";
  try {
    if (window.sessionStorage.getItem(TRIED) === detected) {
      return;
    }
    window.sessionStorage.setItem(TRIED, detected);
  } catch (error) {
    // No storage (private mode): sending it again on the next page does no harm.
  }
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  var data = new FormData();
  data.append("time_zone", detected);
  fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": input ? input.value : "", "X-Requested-With": "fetch" },
    body: data,
  }).then(
    function (response) {
      if (response.ok) {
        body.dataset.timeZone = detected;
      }
    },
    function () {}
  );
})();
