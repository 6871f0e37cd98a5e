import { initAll } from '/assets/govuk-frontend.min.js'
initAll()

// Typing is use: while someone writes in a form, Tact is told at most every five minutes
// (`/session/alive`), so a long note is not lost to the limit on time without use.
const FIVE_MINUTES = 5 * 60 * 1000
let told = Date.now()
document.addEventListener('input', (event) => {
  if (!event.target.closest?.('form[method="post"]') || Date.now() - told < FIVE_MINUTES) return
  told = Date.now()
  fetch('/session/alive', { credentials: 'same-origin', cache: 'no-store' }).catch(() => {})
})
