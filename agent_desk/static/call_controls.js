// The softphone's call controls: hold and resume, transfer (cold, to a colleague, the caller's
// advisor or office team, a language, the queue, or an outside number), consult a colleague
// or an outside number while the caller holds, then join all three or hand over, and three-way
// calls. The centre does each in the caller's conference room; this page only asks, and shows
// the room as the centre reports it. A call that came by a transfer shows who sent it and the
// notes so far.
(function () {
  const panel = document.getElementById("softphone");
  const box = document.getElementById("call-controls");
  if (!panel || !box) return;
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  const { _, language } = window.HotlineText;
  const TRANSFER_TO = [
    ["colleague", _("A colleague")],
    ["advisor", _("The caller's own advisor")],
    ["office", _("The caller's office team")],
    ["language", _("Someone who speaks a language")],
    ["queue", _("Back to the queue, with a topic")],
    ["directory", _("An outside number from the directory")],
    ["number", _("Another outside number")],
  ];
  const CONSULT_TO = [
    ["colleague", _("A colleague")],
    ["directory", _("An outside number from the directory")],
    ["number", _("Another outside number")],
  ];
  // Languages named in the reader's language ("ukraiński" in Polish), by the browser's data.
  const languageNames = window.Intl && Intl.DisplayNames ? new Intl.DisplayNames([language], { type: "language" }) : null;
  const languageName = (code) => (languageNames && languageNames.of(code)) || code.toUpperCase();
  let view = null;
  let mode = null; // "transfer" or "consult" while the form is open
  let timer = null;

  function showError(message) {
    $("phone-error-text").textContent = message || "";
    $("phone-error").hidden = !message;
  }

  async function ask(path, body) {
    try {
      const response = await fetch(path, {
        method: body === undefined ? "GET" : "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = await response.json();
      if (!response.ok) {
        showError(answer.error ? _("Not done: %(reason)s.", { reason: answer.error }) : _("The desk refused that; try again."));
        return null;
      }
      return answer;
    } catch (error) {
      showError(_("The desk did not answer; check your network and try again."));
      return null;
    }
  }

  async function refresh() {
    const answer = await ask("/desk/api/call");
    if (answer) {
      view = answer;
      render();
    }
  }

  function fill(select, options) {
    // Left alone when nothing changed, so that a list the consultant has open stays open.
    const signature = JSON.stringify(options);
    if (select.dataset.options === signature) return;
    select.dataset.options = signature;
    const kept = select.value;
    select.replaceChildren(
      ...options.map(([value, text]) => {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = text;
        return option;
      })
    );
    if (options.some(([value]) => value === kept)) select.value = kept;
  }

  function renderForm() {
    const form = $("xfer-form");
    form.hidden = !mode;
    if (!mode || !view) return;
    $("xfer-form-title").textContent = mode === "transfer" ? _("Transfer the call") : _("Consult or bring someone in");
    $("xfer-go").textContent = mode === "transfer" ? _("Transfer") : _("Ring them in");
    fill($("xfer-to"), mode === "transfer" ? TRANSFER_TO : CONSULT_TO);
    fill(
      $("xfer-colleague"),
      (view.colleagues || []).map((c) => [String(c.id), `${c.name} (${c.state_label || c.state})`])
    );
    fill($("xfer-language"), (view.languages || []).map((l) => [l, languageName(l)]));
    fill($("xfer-topic"), (view.topics || []).map((t) => [t, (view.topic_labels && view.topic_labels[t]) || t.replace(/_/g, " ")]));
    fill($("xfer-directory"), (view.directory || []).map((d) => [String(d.id), `${d.name} (${d.number})`]));
    const to = $("xfer-to").value;
    const shown = {
      colleague: to === "colleague",
      language: to === "language",
      queue: to === "queue",
      directory: to === "directory",
      number: to === "number",
      "three-way": mode === "consult" && to !== "colleague",
      note: mode === "transfer" || to === "colleague",
    };
    form.querySelectorAll("label[data-for]").forEach((label) => {
      label.hidden = !shown[label.dataset.for];
    });
  }

  function render() {
    const live = panel.classList.contains("connected") && view && view.call_sid;
    box.hidden = !live;
    if (!live) {
      mode = null;
      return;
    }
    const mine = view.mine;
    const party = view.party;
    const busy = party && (party.state === "ringing" || party.state === "in-room");
    $("phone-hold").textContent = view.held ? _("Resume") : _("Hold");
    $("phone-hold").setAttribute("aria-pressed", String(!!view.held));
    $("phone-hold").hidden = !mine;
    $("phone-transfer").hidden = !mine || busy;
    $("phone-consult").hidden = !mine || busy;
    $("call-held").hidden = !view.held;
    const recorded = !!view.recorded;
    const paused = recorded && !!view.recording_paused;
    $("phone-recording").hidden = !mine || !recorded || !view.recording_live;
    $("phone-recording").textContent = paused ? _("Resume recording") : _("Pause recording");
    $("phone-recording").setAttribute("aria-pressed", String(paused));
    $("call-recorded").hidden = !recorded || paused;
    $("call-recording-paused").hidden = !paused;
    $("call-party").hidden = !party || !mine;
    if (party) {
      const states = {
        ringing: _("%(name)s ringing…"),
        "in-room": party.joined ? _("%(name)s in the call with the caller") : _("%(name)s talking with you; the caller is on hold"),
        ended: _("%(name)s has left the call"),
        missed: _("%(name)s did not answer"),
      };
      // Each text holds the name, where the reader's language puts it.
      $("call-party-text").textContent = states[party.state]
        ? states[party.state].replace("%(name)s", party.name)
        : `${party.name} ${party.state}`;
      $("party-join").hidden = !(party.state === "in-room" && !party.joined);
      $("party-hand-over").hidden = party.state !== "in-room";
      $("party-end").hidden = !busy;
      $("party-end").textContent = party.kind === "three-way" ? _("End three-way call") : _("End consultation");
    }
    const sent = view.transferred;
    $("call-transferred").hidden = !sent;
    if (sent) {
      const chain = sent.chain || [];
      $("call-transferred-by").textContent = _("Transferred by %(name)s", { name: sent.by }) + (chain.length > 2 ? ` (${chain.join(" → ")})` : "");
      $("call-transferred-note").textContent = sent.note ? _("Note: %(note)s", { note: sent.note }) : "";
      $("call-transferred-earlier").replaceChildren(
        ...(sent.earlier || []).map((item) => {
          const li = document.createElement("li");
          li.textContent = `${item.consultant}: ${item.notes}`;
          return li;
        })
      );
    }
    if (busy || !mine) mode = null;
    renderForm();
  }

  function watch() {
    const live = panel.classList.contains("connected");
    if (live && !timer) {
      refresh();
      timer = setInterval(refresh, 1500);
    } else if (!live && timer) {
      clearInterval(timer);
      timer = null;
      view = null;
      render();
    }
  }
  new MutationObserver(watch).observe(panel, { attributes: true, attributeFilter: ["class", "hidden"] });

  async function act(path, body) {
    showError("");
    const answer = await ask(path, body || {});
    if (answer) {
      view = answer;
      render();
    }
    return answer;
  }

  $("phone-hold").addEventListener("click", () => act("/desk/api/call/hold", { on: !(view && view.held) }));
  $("phone-recording").addEventListener("click", () =>
    act("/desk/api/call/recording", { paused: !(view && view.recording_paused) }));
  $("phone-transfer").addEventListener("click", () => {
    mode = mode === "transfer" ? null : "transfer";
    renderForm();
  });
  $("phone-consult").addEventListener("click", () => {
    mode = mode === "consult" ? null : "consult";
    renderForm();
  });
  $("xfer-to").addEventListener("change", renderForm);
  $("xfer-cancel").addEventListener("click", () => {
    mode = null;
    renderForm();
  });
  $("party-join").addEventListener("click", () => act("/desk/api/call/join"));
  $("party-hand-over").addEventListener("click", () => act("/desk/api/call/hand-over", { note: $("xfer-note").value }));
  $("party-end").addEventListener("click", () => act("/desk/api/call/end-party"));
  $("xfer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = $("xfer-to").value;
    const body = {};
    if (to === "directory") body.directory_id = $("xfer-directory").value;
    if (to === "number") body.number = $("xfer-number").value;
    let path;
    if (mode === "transfer") {
      path = "/desk/api/call/transfer";
      body.note = $("xfer-note").value;
      if (to === "directory" || to === "number") body.kind = "outside";
      else body.kind = to === "colleague" ? "consultant" : to;
      if (to === "colleague") body.target = $("xfer-colleague").value;
      if (to === "language") body.target = $("xfer-language").value;
      if (to === "queue") body.topic = $("xfer-topic").value;
    } else {
      path = "/desk/api/call/consult";
      if (to === "colleague") body.colleague_id = $("xfer-colleague").value;
      body.three_way = to !== "colleague" && $("xfer-three-way").checked;
    }
    const answer = await act(path, body);
    if (answer) {
      mode = null;
      renderForm();
    }
  });
})();
