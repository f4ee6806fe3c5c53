// The desk's words in the reader's language. The page hands them over in <body data-texts>
// (the CSP allows no inline script): each text by its English, each plural by its English
// singular in every plural form of the language. _() and ngettext() mark the texts, so that
// pybabel finds them in the scripts for the catalogues.
(function () {
  "use strict";
  const body = document.body;
  let given = { texts: {}, plurals: {} };
  try {
    given = JSON.parse(body.dataset.texts || "{}");
  } catch (error) {
    // The English words stand in.
  }
  const language = body.dataset.language || document.documentElement.lang || "pl";
  const timeZone = body.dataset.timezone || "Europe/Warsaw";
  const pluralRules = new Intl.PluralRules(language);

  function fill(text, values) {
    return text.replace(/%\((\w+)\)[sd]/g, (whole, name) =>
      values && name in values ? String(values[name]) : whole);
  }

  function _(text, values) {
    return fill((given.texts && given.texts[text]) || text, values);
  }

  function ngettext(singular, plural, count, values) {
    const forms = given.plurals && given.plurals[singular];
    const chosen = forms ? forms[pluralRules.select(count)] || forms.other : null;
    return fill(chosen || (count === 1 ? singular : plural), Object.assign({ num: count }, values));
  }

  // Numbers, shares and clock times the reader's way; the clock is the centre's, 24-hour.
  const numbers = new Intl.NumberFormat(language);
  const shares = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 });
  const clock = new Intl.DateTimeFormat(language, {
    timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });

  window.HotlineText = {
    _, ngettext, language, timeZone,
    number: (value) => numbers.format(value),
    share: (value) => shares.format(value),
    time: (moment) => clock.format(moment),
  };
})();
