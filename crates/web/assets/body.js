// GOV.UK Frontend's marker that scripts run, set before the page is drawn. A file of its own,
// not an inline script, so the Content-Security-Policy can forbid inline script.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
