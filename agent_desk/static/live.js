// Live desk pages: server-sent event streams, a slow poll where a stream cannot be opened, the
// "connection lost" banner, and one phone shared by a consultant's tabs.
//
// HotlineLive.follow(url, handlers, {poll, pollMs}) opens an EventSource on url and calls
// handlers[type](data, id) for each event. The browser reconnects a broken stream by itself and
// sends the last event id it saw, so the server's first message after a break holds what was
// missed. Where no stream opens (an old proxy that buffers, or a centre that holds as many
// streams as it may), poll() runs every pollMs until one does.
//
// HotlineLive.sharedPhone(makePhone, name) returns a phone with phone.js's interface. Only one of
// the consultant's tabs (the one holding a Web Lock named name) registers the real phone, so
// only that tab rings; the others mirror its state over a BroadcastChannel, show the call, and
// pass answer, decline, hang-up and the rest on to it. phone.ringsHere tells which one this is.
(function () {
  "use strict";

  // A stream that has not said anything this long is taken for one that cannot get through.
  const FIRST_MESSAGE_MS = 10000;
  // A stream that broke and did not come back within this long shows the banner (the server
  // ends each stream every few minutes and the browser reconnects within a second).
  const BANNER_GRACE_MS = 2500;
  // A stream the server refused (busy, or an error page) is tried again after this long.
  const RETRY_REFUSED_MS = 30000;

  const banner = {
    lost: new Set(),
    set(source, isLost) {
      if (isLost) this.lost.add(source);
      else this.lost.delete(source);
      const element = document.getElementById("connection-lost");
      if (element) element.hidden = this.lost.size === 0;
    },
  };

  function follow(url, handlers, options) {
    const poll = options && options.poll;
    const pollMs = (options && options.pollMs) || 5000;
    const source = { url };
    let events = null;
    let pollTimer = null;
    let graceTimer = null;
    let quietTimer = null;

    async function pollOnce() {
      try {
        await poll();
        if (!events || events.readyState !== EventSource.OPEN) banner.set(source, false);
      } catch (error) {
        banner.set(source, true);
      }
    }

    function startPolling() {
      if (!poll || pollTimer) return;
      pollOnce();
      pollTimer = setInterval(pollOnce, pollMs);
    }

    function stopPolling() {
      clearInterval(pollTimer);
      pollTimer = null;
    }

    function heard() {
      clearTimeout(graceTimer);
      clearTimeout(quietTimer);
      graceTimer = quietTimer = null;
      stopPolling();
      banner.set(source, false);
    }

    async function refused() {
      // The server answered, but not with a stream: signed out, or busy.
      try {
        const response = await fetch(url, { method: "HEAD" });
        if (response.status === 401) {
          location.href = "/desk/login";
          return;
        }
      } catch (error) {
        banner.set(source, true);
      }
      startPolling();
      setTimeout(open, RETRY_REFUSED_MS);
    }

    function open() {
      if (!("EventSource" in window)) return startPolling();
      if (events) events.close();
      events = new EventSource(url);
      quietTimer = setTimeout(startPolling, FIRST_MESSAGE_MS);
      events.addEventListener("open", heard);
      Object.keys(handlers).forEach((type) =>
        events.addEventListener(type, (event) => {
          heard();
          handlers[type](JSON.parse(event.data), event.lastEventId);
        })
      );
      events.addEventListener("signed-out", () => {
        events.close();
        location.href = "/desk/login";
      });
      events.addEventListener("error", () => {
        if (events.readyState === EventSource.CLOSED) return refused();
        if (!graceTimer) graceTimer = setTimeout(() => {
          banner.set(source, true);
          startPolling();
        }, BANNER_GRACE_MS);
      });
    }

    open();
    window.addEventListener("pagehide", () => events && events.close());
    return { close: () => events && events.close() };
  }

  // A phone in one tab, shown in all of the consultant's tabs (defined once phone.js is there).
  const defineSharedPhone = () => class SharedPhone extends HotlinePhone.PhoneBase {
    constructor(makePhone, name) {
      super();
      this.makePhone = makePhone;
      this.name = name;
      this.real = null;
      this.ringsHere = false;
      this.incoming = null;
      this.channel = "BroadcastChannel" in window ? new BroadcastChannel(name) : null;
      if (this.channel) this.channel.onmessage = (event) => this._heard(event.data);
      for (const method of HotlinePhone.PHONE_METHODS) {
        if (method !== "register" && method !== "unregister") {
          this[method] = (...args) => this._act(method, args);
        }
      }
    }

    async register() {
      if (!this.channel || !(navigator.locks && navigator.locks.request)) return this._lead();
      this.channel.postMessage({ type: "hello" });
      // Held until this page goes; then the next tab in line takes the phone.
      navigator.locks.request(this.name, () => this._lead().then(() => new Promise(() => {})));
    }

    async unregister() {
      if (this.real) await this.real.unregister();
    }

    async _lead() {
      this.ringsHere = true;
      this.real = this.makePhone();
      const emit = this.real._emit.bind(this.real);
      this.real._emit = (event, detail) => {
        emit(event, detail);
        this._share(event, detail);
      };
      await this.real.register();
    }

    _share(event, detail) {
      this.state = this.real.state;
      this.muted = this.real.muted;
      if (event === "incoming") this.incoming = detail;
      if (event === "state" && this.state === "idle") this.incoming = null;
      this._emit(event, detail);
      this._post(event, detail);
    }

    _post(event, detail) {
      if (this.channel) {
        this.channel.postMessage({ type: "event", event, detail, state: this.state, muted: this.muted });
      }
    }

    _heard(message) {
      if (message.type === "hello" && this.ringsHere) {
        this._post("state", this.state);
        if (this.incoming && this.state !== "idle") this._post("incoming", this.incoming);
      } else if (message.type === "event" && !this.ringsHere) {
        this.state = message.state;
        this.muted = message.muted;
        this._emit(message.event, message.detail);
      } else if (message.type === "act" && this.ringsHere && this.real) {
        this._act(message.method, message.args);
      }
    }

    async _act(method, args) {
      if (this.ringsHere) return this.real && this.real[method](...args);
      this.channel.postMessage({ type: "act", method, args });
    }
  };

  let SharedPhone = null;
  function sharedPhone(makePhone, name) {
    SharedPhone = SharedPhone || defineSharedPhone();
    return new SharedPhone(makePhone, name);
  }

  window.HotlineLive = { follow, sharedPhone };
})();
