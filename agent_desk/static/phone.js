// The desk's phone: one interface, two phones behind it. TwilioVoicePhone registers the
// consultant's Client identity with Twilio through the Voice JavaScript SDK; EmulatorPhone
// drives the same identity's endpoint in the phone network emulator. Either way the network,
// not the desk, tells the centre who answered.
//
// Interface: register(), unregister(), accept(), reject(), hangUp(), mute(on), sendDigits(keys),
// devices() (the microphones and speakers to choose from), useDevices({input, output}),
// onIncoming(handler), on(event, handler) and the read-only state ("offline", "idle",
// "ringing", "connected") and muted. Events: "state" (the new state), "incoming" ({from,
// callSid}), "ended" ({answered}), "mute" (on), "network" ("reconnecting" or "ok": the
// connection to the network dropped, or is back), "error" ({message, code}), with the message
// in plain words for the consultant.
(function () {
  // The reader's words (texts.js), or the English ones where the page has none.
  const _ = (window.HotlineText && window.HotlineText._) ||
    ((text, values) => text.replace(/%\((\w+)\)s/g, (whole, name) => (values && name in values ? values[name] : whole)));
  const PHONE_METHODS = ["register", "unregister", "accept", "reject", "hangUp", "mute", "sendDigits", "devices", "useDevices"];

  class PhoneBase {
    constructor() {
      this.state = "offline";
      this.muted = false;
      this._handlers = {};
    }

    on(event, handler) {
      (this._handlers[event] = this._handlers[event] || []).push(handler);
      return this;
    }

    onIncoming(handler) {
      return this.on("incoming", handler);
    }

    _emit(event, detail) {
      for (const handler of this._handlers[event] || []) {
        try {
          handler(detail);
        } catch (error) {
          console.error("phone handler for", event, "failed:", error);
        }
      }
    }

    _setState(state) {
      if (state === this.state) return;
      const was = this.state;
      this.state = state;
      if (state !== "connected") this._setMuted(false);
      this._emit("state", state);
      if (state === "idle" && (was === "ringing" || was === "connected")) {
        this._emit("ended", { answered: was === "connected" });
      }
    }

    _setMuted(on) {
      if (on === this.muted) return;
      this.muted = on;
      this._emit("mute", on);
    }

    _fail(message, code) {
      this._emit("error", { message, code: code || null });
    }

    _network(state) {
      if (state === this.network) return;
      this.network = state;
      this._emit("network", state);
    }

    // The browser's own list of audio devices (their names once the microphone is allowed).
    async _mediaDevices() {
      const found = { inputs: [], outputs: [] };
      if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return found;
      for (const device of await navigator.mediaDevices.enumerateDevices()) {
        const entry = { id: device.deviceId, label: device.label || "" };
        if (device.kind === "audioinput") found.inputs.push(entry);
        if (device.kind === "audiooutput") found.outputs.push(entry);
      }
      return found;
    }
  }

  // What the SDK's error codes mean to a consultant.
  const TWILIO_ERRORS = {
    20101: _("The phone could not sign in to Twilio (the access token was refused). Reload the page; if it happens again, tell your administrator."),
    20104: _("The phone's sign-in ran out. Reload the page."),
    31005: _("The connection to Twilio broke off. Check your network; the phone keeps trying."),
    31009: _("The phone lost its connection to Twilio. Check your network; the phone keeps trying."),
    31204: _("The phone could not sign in to Twilio (the access token was refused). Tell your administrator."),
    31205: _("The phone's sign-in ran out. Reload the page."),
    31401: _("The browser did not let the desk use your microphone. Allow the microphone for this site (the icon in the address bar), then answer again."),
    31402: _("The desk could not use a microphone. Check that your headset is plugged in and not taken by another program."),
    53000: _("The phone lost its connection to Twilio. Check your network; the phone keeps trying."),
    53405: _("The call's sound could not get through your network (a firewall may block it). Tell your administrator."),
  };

  function plainTwilioError(error) {
    const code = error && error.code;
    return TWILIO_ERRORS[code] || _("The phone reported a problem: %(message)s (code %(code)s).", { message: (error && error.message) || error, code: code || "?" });
  }

  // The SDK fetches its ringtones and key tones from Twilio's CDN unless it is given others.
  // The desk rings with a tone of its own and loads nothing from a CDN, so every SDK sound is
  // a short silence made here.
  function silentClip() {
    const samples = 800; // 0.1 s of 8 kHz, 8-bit mono
    const bytes = new Uint8Array(44 + samples);
    const view = new DataView(bytes.buffer);
    const text = (offset, word) => [...word].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
    text(0, "RIFF");
    view.setUint32(4, 36 + samples, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, 1, true);
    view.setUint32(24, 8000, true);
    view.setUint32(28, 8000, true);
    view.setUint16(32, 1, true);
    view.setUint16(34, 8, true);
    text(36, "data");
    view.setUint32(40, samples, true);
    bytes.fill(128, 44);
    return "data:audio/wav;base64," + btoa(String.fromCharCode(...bytes));
  }

  const SDK_SOUNDS = ["incoming", "outgoing", "disconnect", "dtmf0", "dtmf1", "dtmf2", "dtmf3",
    "dtmf4", "dtmf5", "dtmf6", "dtmf7", "dtmf8", "dtmf9", "dtmfs", "dtmfh"];

  class TwilioVoicePhone extends PhoneBase {
    constructor({ tokenUrl = "/desk/api/token", Device = window.Twilio && window.Twilio.Device } = {}) {
      super();
      this.tokenUrl = tokenUrl;
      this.Device = Device;
      this.device = null;
      this.call = null;
    }

    async register() {
      if (!this.Device) return this._fail(_("The softphone's code did not load. Reload the page."));
      if (!this.Device.isSupported) {
        return this._fail(_("This browser cannot run the softphone. Use a current Chrome, Edge, Firefox or Safari."));
      }
      if (!window.isSecureContext) {
        return this._fail(_("The softphone works only when the desk is opened over https."));
      }
      let grant;
      try {
        grant = await this._token();
      } catch (error) {
        return this._fail(error.message);
      }
      const silence = silentClip();
      const names = this.Device.SoundName ? Object.values(this.Device.SoundName) : SDK_SOUNDS;
      this.device = new this.Device(grant.token, {
        closeProtection: _("Leaving this page ends the call."),
        codecPreferences: ["opus", "pcmu"],
        sounds: Object.fromEntries(names.map((name) => [name, silence])),
        // Ask for a new token a minute before this one runs out (sooner for short ones).
        tokenRefreshMs: Math.min(60000, (grant.ttl_seconds * 1000) / 4),
        logLevel: "warn",
      });
      this.device.on("registered", () => {
        this._network("ok");
        this._setState(this.call ? this.state : "idle");
      });
      this.device.on("unregistered", () => {
        this._setState(this.call ? this.state : "offline");
        this._reregister();
      });
      this.device.on("error", (error) => this._fail(plainTwilioError(error), error && error.code));
      this.device.on("incoming", (call) => this._incoming(call));
      this.device.on("tokenWillExpire", () => this._refreshToken());
      this._checkMicrophone();
      try {
        await this.device.register();
      } catch (error) {
        this._fail(plainTwilioError(error), error && error.code);
      }
    }

    // The SDK signs the phone in again by itself after most drops; if it stays signed out,
    // ask again, more slowly each time, until it is back or the page unregisters it.
    _reregister(delay = 2000) {
      if (!this.device || this.rejoining) return;
      this._network("reconnecting");
      this.rejoining = setTimeout(async () => {
        this.rejoining = null;
        if (!this.device || this.device.state === "registered") return;
        try {
          await this.device.register();
        } catch (error) {
          this._reregister(Math.min(delay * 2, 30000));
        }
      }, delay);
    }

    async devices() {
      const audio = this.device && this.device.audio;
      if (!audio) return this._mediaDevices();
      const list = (devices) =>
        Array.from(devices.values()).map((device) => ({ id: device.deviceId, label: device.label || "" }));
      return { inputs: list(audio.availableInputDevices), outputs: list(audio.availableOutputDevices) };
    }

    async useDevices({ input, output } = {}) {
      const audio = this.device && this.device.audio;
      if (!audio) return;
      try {
        if (input) await audio.setInputDevice(input);
        if (output && audio.isOutputSelectionSupported) await audio.speakerDevices.set(output);
      } catch (error) {
        this._fail("The desk could not switch to that device. Check that it is plugged in, then choose it again.");
      }
    }

    async unregister() {
      if (!this.device) return;
      clearTimeout(this.rejoining);
      this.rejoining = null;
      this.device.destroy();
      this.device = null;
      this.call = null;
      this._setState("offline");
    }

    async accept() {
      if (this.call && this.state === "ringing") this.call.accept();
    }

    async reject() {
      if (this.call && this.state === "ringing") this.call.reject();
    }

    async hangUp() {
      if (this.call) this.call.disconnect();
    }

    async mute(on) {
      if (this.call && this.state === "connected") this.call.mute(!!on);
    }

    async sendDigits(keys) {
      if (this.call && this.state === "connected") this.call.sendDigits(String(keys));
    }

    async _token() {
      let response;
      try {
        response = await fetch(this.tokenUrl, { headers: { Accept: "application/json" } });
      } catch (error) {
        throw new Error(_("The desk could not reach the centre for the phone's sign-in; it will try again."));
      }
      if (response.status === 401) {
        location.href = "/desk/login";
        throw new Error(_("Your desk session ended. Sign in again."));
      }
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(`The phone cannot sign in: ${body.error || response.statusText}.`);
      return body;
    }

    async _refreshToken() {
      try {
        const grant = await this._token();
        if (this.device) this.device.updateToken(grant.token);
      } catch (error) {
        this._fail(error.message);
        // The current token still has a minute; try once more before it runs out.
        setTimeout(() => this._refreshToken(), 20000);
      }
    }

    async _checkMicrophone() {
      try {
        const permission = await navigator.permissions.query({ name: "microphone" });
        const warn = () => {
          if (permission.state === "denied") {
            this._fail(_("Your browser blocks the microphone for this site, so callers would not hear you. Allow the microphone (the icon in the address bar), then reload the page."), 31401);
          }
        };
        warn();
        permission.onchange = warn;
      } catch (error) {
        // Browsers that cannot tell ask when the first call is answered.
      }
    }

    _incoming(call) {
      if (this.call) {
        call.reject();
        return;
      }
      this.call = call;
      const finished = () => {
        if (this.call !== call) return;
        this.call = null;
        this._setState(this.device && this.device.state === "registered" ? "idle" : "offline");
      };
      call.on("accept", () => this._setState("connected"));
      call.on("disconnect", finished);
      call.on("cancel", finished);
      call.on("reject", finished);
      call.on("mute", (on) => this._setMuted(!!on));
      // The call's media dropped: the SDK tries to bring it back for a while by itself.
      call.on("reconnecting", () => this._network("reconnecting"));
      call.on("reconnected", () => this._network("ok"));
      call.on("error", (error) => this._fail(plainTwilioError(error), error && error.code));
      this._setState("ringing");
      this._emit("incoming", { from: call.parameters.From || "", callSid: call.parameters.CallSid || "" });
    }
  }

  class EmulatorPhone extends PhoneBase {
    constructor({ emulator, identity, token = "", interval = 1000 } = {}) {
      super();
      this.emulator = emulator.replace(/\/$/, "");
      // The emulator's control API answers only to the token it was started with.
      this.authorization = token ? { Authorization: `Bearer ${token}` } : {};
      this.address = "client:" + identity;
      this.interval = interval;
      this.timer = null;
      this.callSid = null;
      this.unreachable = false;
    }

    async register() {
      if (this.timer) return;
      this.timer = setInterval(() => this._poll(), this.interval);
      await this._poll();
    }

    async unregister() {
      clearInterval(this.timer);
      this.timer = null;
      this._setState("offline");
    }

    async accept() {
      await this._act("answer", _("The call had stopped ringing before it was answered."));
    }

    async reject() {
      await this._act("reject", _("The call had stopped ringing."));
    }

    async hangUp() {
      await this._act("hangup", _("The call had already ended."));
    }

    async mute(on) {
      if (this.state !== "connected") return;
      // The emulator mutes a phone in a conference; a plain bridge carries no sound to mute,
      // so there the mute is the phone's own.
      const response = await this._post("mute", { on: !!on }).catch(() => null);
      if (response && !response.ok && response.status !== 409) {
        return this._fail(_("The phone did not mute; try again."));
      }
      this._setMuted(!!on);
    }

    async sendDigits(keys) {
      if (this.state !== "connected") return;
      await this._act("press", _("The keys did not reach the call."), { digits: String(keys) });
    }

    // The emulator carries no sound: the choice is kept, as the real phone would use it.
    async devices() {
      return this._mediaDevices();
    }

    async useDevices({ input, output } = {}) {
      this.chosen = { input: input || null, output: output || null };
    }

    _url(action) {
      const base = `${this.emulator}/emulator/endpoints/${encodeURIComponent(this.address)}`;
      return action ? `${base}/${action}` : base;
    }

    _post(action, body) {
      return fetch(this._url(action), {
        method: "POST",
        headers: { "Content-Type": "application/json", ...this.authorization },
        body: JSON.stringify(body || {}),
      });
    }

    async _act(action, refused, body) {
      try {
        const response = await this._post(action, body);
        if (!response.ok) this._fail(refused, response.status);
      } catch (error) {
        this._fail(_("The phone network emulator does not answer; is it running?"));
      }
      await this._poll();
    }

    async _poll() {
      let endpoint;
      try {
        const response = await fetch(this._url(), {
          headers: { Accept: "application/json", ...this.authorization },
        });
        endpoint = await response.json();
      } catch (error) {
        if (!this.unreachable) this._fail(_("The phone network emulator does not answer; is it running?"));
        this.unreachable = true;
        this._network("reconnecting");
        // A call goes on in the network while the desk cannot see it: keep showing it.
        if (this.state !== "connected") this._setState("offline");
        return;
      }
      this.unreachable = false;
      this._network("ok");
      const state = endpoint.state === "ringing" || endpoint.state === "connected" ? endpoint.state : "idle";
      if (state === "ringing" && endpoint.call_sid !== this.callSid) {
        this.callSid = endpoint.call_sid;
        this._setState("ringing");
        this._emit("incoming", { from: endpoint.from || "", callSid: endpoint.call_sid });
        return;
      }
      if (state === "idle") this.callSid = null;
      this._setState(state);
    }
  }

  function makePhone({ emulator, emulatorToken, identity, tokenUrl }) {
    return emulator
      ? new EmulatorPhone({ emulator, identity, token: emulatorToken })
      : new TwilioVoicePhone({ tokenUrl });
  }

  window.HotlinePhone = { PHONE_METHODS, PhoneBase, TwilioVoicePhone, EmulatorPhone, makePhone, plainTwilioError };
})();
