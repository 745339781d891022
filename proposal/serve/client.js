// Live preview (`consortium-proposal serve`): reloads the page when what it shows
// changed (the input, a template or a catalog; on the builds page, a build), keeping
// the scroll position, and starts a full build from the builds page.
"use strict";
(function () {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
  const watch = meta("serve-watch");
  const shown = meta("serve-version");
  const key = "serve-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved));
    restore();
    window.addEventListener("load", restore);
  }
  const events = new EventSource("/_serve/events");
  events.onmessage = (event) => {
    const versions = JSON.parse(event.data);
    if (String(versions[watch]) !== shown) {
      events.close();
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }
  };
  const button = document.getElementById("serve-build");
  if (button) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      const response = await fetch("/_serve/build", {
        method: "POST", headers: {"X-Serve-Token": meta("serve-token")},
      });
      if (!response.ok) {
        document.getElementById("serve-build-state").textContent = await response.text();
        button.disabled = false;
      }
    });
  }
})();
