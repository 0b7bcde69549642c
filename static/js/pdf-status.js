// The officials' pages after a submit: the PDF is rendered by a worker a little
// later. Polls the status URL with a growing delay until the PDF is stored (then
// puts its link in the live region, which announces it) or its rendering failed,
// and stops. Without JavaScript the page still says the PDF is being prepared.
(function () {
  "use strict";
  const region = document.getElementById("pdf-status");
  if (!region || !region.dataset.statusUrl) {
    return;
  }
  const url = region.dataset.statusUrl;
  const FIRST_DELAY_MS = 1000;
  const MAX_DELAY_MS = 30000;
  // About half an hour of polling at most: a PDF that takes longer is a failure staff see.
  const MAX_POLLS = 80;
  let delay = FIRST_DELAY_MS;
  let polls = 0;

  function show(state) {
    // The HTML is the portal's own template (the link) or an escaped message.
    region.innerHTML = state.html;
    region.classList.remove("text-muted");
    if (state.state === "failed") {
      region.classList.add("text-danger");
    }
  }

  // Django's JavaScript catalogue (base.html) translates; English without it.
  const gettext = window.gettext || function (message) { return message; };

  function later() {
    polls += 1;
    if (polls >= MAX_POLLS) {
      region.textContent = gettext(
        "The PDF is taking longer than usual. Reload this page in a few minutes."
      );
      return;
    }
    window.setTimeout(poll, delay);
    delay = Math.min(Math.round(delay * 1.5), MAX_DELAY_MS);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status >= 400 && response.status < 500) {
          // Signed out or no longer the country's: polling again would not help.
          return null;
        }
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        if (state === null) {
          return;
        }
        if (state.state === "ready" || state.state === "failed") {
          show(state);
        } else {
          later();
        }
      })
      .catch(later);
  }

  later();
})();
