// Keyboard shortcuts on every desk page, with Alt+Shift so that they do not clash with typing
// (Polish letters come from the right Alt, which browsers report with Ctrl): A answers, H hangs
// up, W goes to the wrap-up form, and 1, 2, 3 and 0 set the status (available, break, not
// ready, offline). Keys are read by position (event.code), whatever the keyboard layout.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const STATUS_KEYS = { Digit1: "available", Digit2: "break", Digit3: "not-ready", Digit0: "offline" };

  function press(button) {
    if (!button || button.hidden || button.disabled) return false;
    button.click();
    return true;
  }

  function focusWrapUp() {
    const form = $("wrap-up");
    if (!form) return false;
    // The wrap-up form itself, past the search that links an unidentified caller.
    const fields = form.querySelector("#wrap-up-form") || form;
    const first = fields.querySelector("input:not([type=hidden]), textarea, select");
    form.scrollIntoView({ block: "start" });
    if (first) first.focus();
    return true;
  }

  function toWrapUp() {
    // Away from the form, the Desk page opens with it in focus.
    if (!focusWrapUp()) location.href = "/desk/#wrap-up";
    return true;
  }

  if (location.hash === "#wrap-up") focusWrapUp();

  function setStatus(state) {
    const button = document.querySelector('[data-state="' + state + '"]');
    if (button) return press(button);
    // Away from the Desk page: the status buttons and their reasons are there.
    location.href = "/desk/";
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    let done = false;
    if (event.code === "KeyA") done = press($("phone-answer"));
    else if (event.code === "KeyH") done = press($("phone-hangup"));
    else if (event.code === "KeyW") done = toWrapUp();
    else if (STATUS_KEYS[event.code]) done = setStatus(STATUS_KEYS[event.code]);
    if (done) event.preventDefault();
  });
})();
