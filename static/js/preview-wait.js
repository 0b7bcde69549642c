// The "preparing the draft PDF" page: ask every two seconds whether the preview is
// ready and start the download when it is; after two minutes, say to use Refresh.
// Without JavaScript the page's own text and Refresh link do the same.
(function () {
  "use strict";
  var status = document.getElementById("preview-status");
  if (!status || !window.fetch) return;
  var checkUrl = status.dataset.checkUrl;
  var downloadUrl = status.dataset.downloadUrl;
  var tries = 0;

  function say(text) {
    status.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    status.appendChild(p);
  }

  function check() {
    tries += 1;
    fetch(checkUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { state: "pending" }; })
      .then(function (answer) {
        if (answer.state === "ready") {
          say(status.dataset.readyText);
          window.location.assign(downloadUrl);
        } else if (answer.state === "failed") {
          window.location.assign(downloadUrl); // the server's page explains the failure
        } else if (tries < 60) {
          window.setTimeout(check, 2000);
        } else {
          say(status.dataset.slowText);
        }
      })
      .catch(function () {
        if (tries < 60) window.setTimeout(check, 2000);
        else say(status.dataset.slowText);
      });
  }
  window.setTimeout(check, 2000);
})();
