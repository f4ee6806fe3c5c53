// The desk page: follows the consultant's state (live.js) and pops the caller's record. The phone itself
// (ringing, answering, hanging up) is the softphone every desk page carries (softphone.js).
(function () {
  const desk = document.getElementById("desk");
  if (!desk) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const { _ } = window.HotlineText;
  let lastState = null;

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(payload.error || response.statusText);
    return payload;
  }

  function showError(message) {
    $("desk-error").textContent = message;
    $("desk-error").hidden = !message;
  }

  const IDENTIFIED = {
    number: _("by their phone number"),
    pesel: _("by a PESEL they keyed in (the number is not theirs on record)"),
    none: _("not identified"),
  };

  function callTitle(state, call) {
    if (call.outbound) return _("Call to the customer");
    if (call.asked_for_you) return _("Callback: your customer asked for you");
    if (call.callback) return state === "ringing" ? _("Callback to make") : _("Callback");
    return state === "ringing" ? _("Incoming call") : _("Call");
  }

  // Fill a list with one item per text (never as HTML: notes are typed by people).
  function fillList(list, texts) {
    list.replaceChildren(...texts.map((text) => {
      const item = document.createElement("li");
      item.textContent = text;
      return item;
    }));
  }

  function contactText(contact) {
    const parts = [contact.when, contact.channel, contact.who, contact.topics, contact.outcome];
    const head = parts.filter(Boolean).join(" · ");
    return contact.notes ? head + ": " + contact.notes : head;
  }

  function renderGlance(call) {
    const glance = call.glance || { journey: [], flags: [], contacts: [], callbacks: [], voicemails: [] };
    fillList($("call-flags"), glance.flags);
    $("call-flags").hidden = glance.flags.length === 0;
    $("call-why").textContent = glance.why || "";
    $("call-waited").textContent = glance.waited || _("did not wait");
    fillList($("call-journey"), glance.journey);
    $("call-journey").hidden = glance.journey.length === 0;
    // A callback the centre places was never in the menu: saying it went straight through
    // would mislead.
    $("call-journey-none").hidden = glance.journey.length > 0 || call.callback;
    fillList($("call-contacts"), glance.contacts.map(contactText));
    $("call-contacts-box").hidden = glance.contacts.length === 0;
    const open = glance.callbacks.concat(glance.voicemails);
    fillList($("call-open"), open);
    $("call-open-box").hidden = open.length === 0;
  }

  function render(state) {
    $("state").textContent = state.state_label;
    $("state").className = "state " + state.state;
    $("state-reason").textContent = state.reason_label || "";
    const call = state.call;
    $("call-panel").hidden = !call;
    if (call) {
      $("call-title").textContent = callTitle(state.state, call);
      $("call-number").textContent = call.caller_number || _("unknown number");
      $("call-topic").textContent = call.topic_label;
      $("call-identified").textContent = IDENTIFIED[call.identified_by] || IDENTIFIED.none;
      $("call-language").textContent = call.language_label;
      renderGlance(call);
      const customer = call.customer;
      $("customer-card").hidden = !customer;
      $("unknown-caller").hidden = !!customer;
      if (customer) {
        $("customer-link").textContent = customer.name;
        $("customer-link").href = customer.url;
        $("customer-pesel").textContent = customer.pesel;
        $("customer-address").textContent = customer.address;
        $("customer-office").textContent = customer.office;
        $("own-badge").hidden = !call.own_customer;
        $("vulnerable-badge").hidden = !customer.vulnerable;
        $("safeguarding-badge").hidden = !customer.safeguarding;
      }
    }
    // A finished call brings the wrap-up form, which the server renders: reload when the
    // state turns to wrap-up, or when this page was rendered a moment before it did (the
    // call ended while the page loaded) and so lacks the form.
    const formMissing = state.wrap_up_contact_id && !document.getElementById("wrap-up");
    if (state.state === "wrap-up" && (formMissing || (lastState && lastState !== "wrap-up"))) {
      location.reload();
    }
    lastState = state.state;
  }

  // Only where the event stream cannot be opened; live.js shows the banner when this fails.
  async function pollDesk() {
    const response = await fetch("/desk/api/state", { headers: { Accept: "application/json" } });
    if (response.status === 401) { location.href = "/desk/login"; return; }
    render(await response.json());
  }

  // The buttons come disabled, so that a click before this script has run is not lost.
  document.querySelectorAll("[data-state]").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        showError("");
        const reasonBox = button.dataset.reasonFrom ? $(button.dataset.reasonFrom) : null;
        const reason = reasonBox ? reasonBox.value : "";
        render(await post("/desk/api/state", { state: button.dataset.state, reason }));
      } catch (error) {
        showError(error.message);
      }
    });
    button.disabled = false;
  });

  HotlineLive.follow("/desk/api/events", { desk: (message) => render(message.desk) }, { poll: pollDesk, pollMs: 5000 });
})();
