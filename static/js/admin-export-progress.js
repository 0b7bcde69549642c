// Keeps an export job's page up to date: polls its status URL until the job
// is finished, then shows the download link or the error. Without JavaScript
// the page still shows the state it was loaded in (reload to refresh).
(function () {
  "use strict";
  const root = document.querySelector(".review-export-job");
  if (!root || root.dataset.finished === "true") {
    return;
  }
  const url = root.dataset.statusUrl;
  const bar = document.getElementById("export-progress");
  const label = document.getElementById("export-status-label");
  const text = document.getElementById("export-progress-text");
  const error = document.getElementById("export-error");
  const download = document.getElementById("export-download");
  const notice = document.getElementById("export-notice");
  // Django's JavaScript catalogue (loaded before this script) translates; English without it.
  const gettext = window.gettext || function (message) { return message; };
  const interpolate =
    window.interpolate ||
    function (template, values) {
      return template.replace(/%\((\w+)\)s/g, function (_match, name) {
        return String(values[name]);
      });
    };

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + " %";
    label.textContent = state.status_label;
    text.textContent = interpolate(
      gettext("%(done)s of %(total)s submissions"),
      { done: state.done, total: state.total },
      true
    );
    // A lost worker or a broker outage: said while it lasts, gone once the job runs on.
    notice.textContent = state.notice;
    notice.hidden = !state.notice;
    if (state.error) {
      error.textContent = state.error;
      error.hidden = false;
    }
    if (state.download_url) {
      download.hidden = false;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
