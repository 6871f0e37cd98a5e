"""Bad input through every form of the staff UI, as each role, on both profiles.

For each profile, starts `tact serve --demo` on a free port in a scratch folder, signs in
through the sign-in form as several members of staff, and walks the pages a member of staff
can reach by following links (a few of each kind: three people, three plans...). Every form
found on them is sent back, with its session's CSRF token, five ways:

  empty  every field a person fills in left empty;
  junk   text with control characters, a word where a number goes, a date that is no date,
         a choice that is not one of the options, a file that is not what it should be;
  choice every choice (a list, radio buttons) one that is not among its options, and the
         rest filled in as a person might, so that only the choice can be refused;
  long   every text field 100,000 characters long (a form that comes to more than the
         server reads in one request, 1 MiB, must be refused as too long: a 413 page);
  person every field filled in as a person might (the option a list shows, the first radio
         button, every box ticked, today's date or a month on for a day to come, a number,
         a sentence): a form the page offered must then be taken, or refused on
         one of its fields. Refused as a whole — a 404 or 409 page with no form — means the
         page offered a step the step itself refuses (issue 11: a page offers only what will
         be allowed). Taken, it must say on the page it goes to what it did (the success
         banner), so that staff on a busy line know it is recorded.

Every person's page walked, for a member of staff with an API token in the demo, must link
a step on one of their records exactly where `GET /api/v1/people/{id}` answers that step in
its `steps` (issue 11: the page and the API ask one answer).

Every page walked must cite a rule the policy is silent on as "a local rule", never by
the profile's code LOCAL. Every page and every answer must be a page, never a 5xx ("Sorry, there is a problem"), and a
refusal is a 4xx (a form error 400/422, 403, 404, 409); a form shown again with a 200 after
"empty" or "junk" has not said what is wrong. A form that goes on (3xx) after "junk" has
taken bad input as if it were good (a choice that is none of the options read as a
default, say), which the UI must never do. A form that goes on after "empty" or "long" is
listed, not failed: some forms have nothing a person must fill in (revoke a token, mark a
letter printed), and long text is text. Last, the server's log must hold no panic.

    python3 tests/contract/ui_fuzz.py [path/to/tact]    (default target/debug/tact)

Needs requests and beautifulsoup4; scripts/test runs it when TACT_FUZZ_TESTS=1, as CI does.
"""
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from urllib.parse import urljoin, urlparse

import requests
import requests.adapters
import urllib3
from bs4 import BeautifulSoup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzz import free_port, wait_ready  # noqa: E402

# The most a request body may be (tact_web::MAX_BODY).
MAX_BODY = 1024 * 1024
TACT = sys.argv[1] if len(sys.argv) > 1 else "target/debug/tact"
PASSWORD = "tact-demo-password"
WHO = {
    "cleveland-opcc": ["casey", "dana", "sandra", "carys", "dev", "admin"],
    "northamptonshire-opfcc": ["casey", "dana", "sandra", "dev", "carys"],
}
# Pages of one kind (their path with every number as N) walked at most this many times.
PER_KIND = 8
# At most this many pages a person.
PAGES = 400
# Where a walk starts: the home page, and the pages of the office's own work that some
# roles reach from a menu (the walk finds the rest by following links).
SEEDS = ["/", "/incoming", "/letters", "/messages", "/disclosures", "/retention", "/equality",
         "/governance", "/export", "/second-factor", "/admin/staff", "/tokens", "/import"]
# Never sent: it ends the session the walk runs in.
SKIP = {"/sign-out"}
LONG = "a" * 100_000
# A link on a person's page to a step on one of their records (a decision, a letter, the
# request to share recorded as done, a data-rights request answered on its own page).
STEP_LINK = re.compile(
    r"^/(adjustments|disputes|disclosures|incidents|warnings)/\d+/(decision|shared|letter)$"
    r"|^/data-rights/\d+$"
)
JUNK_TEXT = "\x00\x07\x1b[31m<script>alert(1)</script>\u202e"


def says_what_it_did(r):
    """Whether a redirect after a step carries what the step did to the page it goes to
    (the `tact_said` cookie that page shows as its success banner)."""
    return any(c.name == "tact_said" and c.value for c in r.cookies)


def kind(path):
    return re.sub(r"\d+", "N", path)


class Walk:
    def __init__(self, base, who, token=None):
        self.base = base
        self.who = who
        self.token = token
        # Person pages whose step links were checked against the API's `steps`.
        self.compared = 0
        # Forms sent "long" with more than the server reads in one request.
        self.too_large = 0
        # Errors in a form's summary checked for their message beside the answer.
        self.checked_beside = 0
        self.s = requests.Session()
        # A GET on a kept-alive connection the server has just closed (as it does after
        # refusing a body too large to read) is sent again on a new one, as a browser does
        # (RFC 9112, 9.3.1). Nothing else is retried: a POST that gets no answer is a fault.
        retry = urllib3.util.Retry(total=1, connect=1, read=1, status=0, redirect=0,
                                   allowed_methods=frozenset(["GET"]), raise_on_status=False)
        self.s.mount("http://", requests.adapters.HTTPAdapter(max_retries=retry))
        self.faults = []
        self.taken = []
        self.said = 0
        # The forms of each kind the walk found offered, one a record.
        self.offered = defaultdict(list)
        self.sign_in()

    def sign_in(self):
        page = self.s.get(f"{self.base}/sign-in", timeout=30)
        csrf = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf"})["value"]
        r = self.s.post(
            f"{self.base}/sign-in",
            data={"csrf": csrf, "username": self.who, "password": PASSWORD},
            allow_redirects=False, timeout=30,
        )
        if r.status_code != 303:
            raise SystemExit(f"{self.who} could not sign in: {r.status_code} {r.text[:300]}")

    def fault(self, what):
        self.faults.append(f"{self.who}: {what}")

    def walk(self):
        seen_kinds = defaultdict(int)
        queue = list(SEEDS)
        seen = set(queue)
        forms = {}
        pages = 0
        # The page each address was first found linked from (the seeds were not).
        linked_from = {}
        while queue and pages < PAGES:
            path = queue.pop(0)
            r = self.s.get(self.base + path, allow_redirects=False, timeout=60)
            pages += 1
            if r.status_code >= 500:
                self.fault(f"GET {path} answered {r.status_code}")
                continue
            if path in linked_from and r.status_code in (403, 404, 409):
                # A page links only what its reader may open: never a page that is not
                # there, not theirs, or a step the record refuses.
                self.fault(f"GET {linked_from[path]} links {path}, which answers {r.status_code}")
            if "text/html" not in r.headers.get("content-type", ""):
                continue
            soup = BeautifulSoup(r.text, "html.parser")
            title = soup.title.get_text(strip=True) if soup.title else ""
            if soup.select_one(".govuk-error-summary") is not None and not title.startswith("Error:"):
                self.fault(f"GET {path} shows an error summary under the title {title!r}")
            if self.token and r.status_code == 200 and re.fullmatch(r"/people/\d+", path):
                self.steps_agree(path, soup)
            if "LOCAL" in soup.get_text():
                # A rule the policy is silent on is cited to people as "a local rule".
                self.fault(f"GET {path} shows the profile's code LOCAL")
            ids = [t["id"] for t in soup.find_all(id=True)]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                # An id names one element: a label, an error link or a skip link finds it.
                self.fault(f"GET {path} uses the id {twice[0]!r} more than once")
            for field in soup.find_all(["input", "select", "textarea"]):
                if field.name == "input" and field.get("type") in ("hidden", "submit", "button"):
                    continue
                named = field.get("aria-label") or field.get("aria-labelledby") or (
                    field.get("id") and soup.find("label", attrs={"for": field["id"]}))
                if not named:
                    self.fault(f"GET {path} asks {field.get('name')!r} with no label")
            main = soup.find("main")
            if main is not None:
                # One heading, and what the page is about said once above it.
                if len(main.find_all("h1")) != 1:
                    self.fault(f"GET {path} has {len(main.find_all('h1'))} h1 headings")
                captions = [c.get_text(" ", strip=True)
                            for c in main.select(".govuk-caption-l, .govuk-caption-m, .govuk-caption-xl")]
                if len(captions) != len(set(captions)):
                    self.fault(f"GET {path} says {captions} above its heading")
            for a in soup.find_all("a", href=True):
                href = urlparse(urljoin(self.base + path, a["href"]))
                if href.netloc != urlparse(self.base).netloc:
                    continue
                p = href.path + (f"?{href.query}" if href.query else "")
                if p in seen or p.startswith("/assets") or p.startswith("/api"):
                    continue
                if seen_kinds[kind(href.path)] >= PER_KIND:
                    continue
                seen_kinds[kind(href.path)] += 1
                seen.add(p)
                linked_from[p] = path
                queue.append(p)
            for f in soup.find_all("form"):
                if (f.get("method") or "get").lower() != "post":
                    continue
                action = urlparse(urljoin(self.base + path, f.get("action") or path)).path
                if action in SKIP:
                    continue
                # Every record's own form is filled in as a person would (up to PER_KIND of
                # a kind): whether a page offers a step is a question about that record.
                offered = self.offered[kind(action)]
                if len(offered) < PER_KIND and action not in [o[1] for o in offered]:
                    offered.append((path, action, f))
                if kind(action) in forms:
                    continue
                forms[kind(action)] = (path, action, f)
        self.pages = pages
        return forms

    def steps_agree(self, path, soup):
        """The person's page links the steps `GET /api/v1/people/{id}` offers, no more."""
        r = requests.get(f"{self.base}/api/v1{path}",
                         headers={"Authorization": f"Bearer {self.token}"}, timeout=60)
        if r.status_code != 200:
            self.fault(f"GET /api/v1{path} answered {r.status_code} where the page is shown")
            return
        want = set()
        for record, steps in r.json()["steps"].items():
            of = record.split("/")[1]
            if of in ("adjustments", "disputes") and "decision" in steps:
                want.add(f"{record}/decision")
            elif of == "disclosures" and steps:
                want.add(f"{record}/{'decision' if 'decision' in steps else 'shared'}")
            elif of in ("incidents", "warnings") and "letter" in steps:
                want.add(f"{record}/letter")
            elif of == "data-rights" and "answer" in steps:
                want.add(record)
            # A decided adjustment's letter is linked beside it, as an incident's is.
            if of == "adjustments" and "letter" in steps:
                want.add(f"{record}/letter")
        shown = {urlparse(urljoin(self.base + path, a["href"])).path
                 for a in soup.find_all("a", href=True)}
        shown = {h for h in shown if STEP_LINK.match(h)}
        if shown != want:
            self.fault(f"GET {path} links {sorted(shown - want)} the API does not offer, "
                       f"and not {sorted(want - shown)} it does")
        self.compared += 1

    def fields(self, form):
        out = []
        for el in form.find_all(["input", "select", "textarea"]):
            name = el.get("name")
            if not name:
                continue
            t = (el.get("type") or el.name).lower()
            options = [o.get("value", o.text) for o in el.find_all("option")] if el.name == "select" else []
            out.append((name, t, el.get("value", el.text if el.name == "textarea" else ""), options))
        return out

    @staticmethod
    def as_a_person(form, name, t, value, options, data):
        """What a person might put in one field: the first of each choice, every box
        ticked, a sentence, a small number; the day something happened is today, a day to
        come (a review, an end) a month away."""
        today = datetime.date.today()
        if re.search(r"^(next_)?(review_due|ends_on)-", name):
            today += datetime.timedelta(days=30)
        if t == "radio":
            if name in [d[0] for d in data]:
                return []
            first = form.find("input", {"name": name, "type": "radio"})
            return [(name, first.get("value", "on"))]
        if t == "checkbox":
            return [(name, form.find("input", {"name": name}).get("value", "on"))]
        if t == "select":
            chosen = form.find("select", {"name": name}).find("option", selected=True)
            return [(name, chosen.get("value", chosen.text) if chosen else (options[0] if options else ""))]
        if name.endswith("-day"):
            return [(name, str(today.day))]
        if name.endswith("-month"):
            return [(name, str(today.month))]
        if name.endswith("-year"):
            return [(name, str(today.year))]
        if value:
            return [(name, value)]
        if t == "number" or re.search(r"(minutes|hours|days|extension)$", name):
            return [(name, "5")]
        if t == "email" or "email" in name:
            return [(name, "someone@example.org")]
        if t == "tel" or "phone" in name:
            return [(name, "07700 900123")]
        if t == "password":
            return [(name, "a long passphrase nobody guesses")]
        if t in ("text", "textarea", "search"):
            return [(name, "Given in full on the telephone.")]
        return []

    def send(self, page, action, form, how):
        # A fresh copy of the page: its CSRF token, and a record that may have moved on.
        r = self.s.get(self.base + page, allow_redirects=False, timeout=60)
        if r.status_code != 200:
            return
        soup = BeautifulSoup(r.text, "html.parser")
        fresh = None
        for f in soup.find_all("form"):
            if urlparse(urljoin(self.base + page, f.get("action") or page)).path == action:
                fresh = f
                break
        if fresh is None:
            return
        data, files = [], {}
        filled = 0
        multipart = "multipart" in (fresh.get("enctype") or "")
        for name, t, value, options in self.fields(fresh):
            if t in ("hidden", "submit", "button"):
                if value:
                    data.append((name, value))
                continue
            if t == "file":
                files[name] = ("junk.csv", b"\xff\xfe\x00junk,,,\n" if how != "empty" else b"", "text/csv")
                continue
            if how == "empty":
                continue
            if how == "choice":
                # Only the choices are bad: everything else as a person might fill it in,
                # so that nothing but the choice can be what is refused.
                if t in ("select", "radio"):
                    if t == "select" or name not in [d[0] for d in data]:
                        data.append((name, "not-one-of-the-options"))
                        filled += 1
                elif t in ("text", "textarea") and not value:
                    data.append((name, "Given in full on the telephone."))
                elif t != "checkbox" and value:
                    data.append((name, value))
                continue
            if how == "long":
                data.append((name, LONG if t in ("text", "textarea", "email", "tel", "search", "password") else value))
                continue
            if how == "person":
                data.extend(self.as_a_person(fresh, name, t, value, options, data))
                continue
            # junk
            filled += 1
            if t in ("checkbox", "radio"):
                data.append((name, "not-one-of-the-choices"))
            elif t == "select":
                data.append((name, "not-one-of-the-options"))
            elif t == "number" or re.search(r"(day|month|year|minutes|hours|days|id)$", name):
                data.append((name, "twelve"))
            elif t == "date" or "date" in name:
                data.append((name, "2026-02-30"))
            else:
                data.append((name, JUNK_TEXT))
        try:
            if multipart or files:
                r = self.s.post(self.base + action, data=data, files=files or {"_": ("", b"")},
                                allow_redirects=False, timeout=120)
            else:
                r = self.s.post(self.base + action, data=data, allow_redirects=False, timeout=120)
        except requests.RequestException as e:
            self.fault(f"POST {action} ({how}) from {page}: no answer ({e})")
            return
        if r.status_code >= 500:
            self.fault(f"POST {action} ({how}) from {page} answered {r.status_code}")
        elif r.status_code == 401:
            # The session had ended (a step before this one ended it): nothing was saved,
            # and the page must say so; sign in again for the next form.
            if "You have been signed out" not in r.text:
                self.fault(f"POST {action} ({how}) from {page}: 401 without saying why")
            self.sign_in()
        elif how == "person" and r.status_code in (404, 409):
            said = BeautifulSoup(r.text, "html.parser").find("main")
            said = said.get_text(" ", strip=True)[:200] if said else ""
            self.fault(f"POST {action} ({how}) from {page}: offered, then refused as a whole ({r.status_code}): {said}")
        elif 300 <= r.status_code < 400:
            if "/sign-in" in r.headers.get("location", ""):
                self.sign_in()
            if how in ("junk", "choice") and filled:
                # Junk in a field, and the form went on: bad input became a default.
                self.fault(f"POST {action} ({how}) from {page} was taken: {data}")
            elif how != "person":
                self.taken.append(f"POST {action} ({how}) went on to {r.headers.get('location')}")
            elif "/sign-in" not in r.headers.get("location", "") and not says_what_it_did(r):
                # A step taken says on the page it goes to what it did (the success
                # banner), so staff on a busy line know it is recorded.
                self.fault(f"POST {action} ({how}) from {page} went on to "
                           f"{r.headers.get('location')} without saying what it did")
            else:
                self.said += 1
        elif how == "long" and not (multipart or files) and len(r.request.body or b"") > MAX_BODY:
            # More than the server reads is too long, and the page must say so.
            self.too_large += 1
            if r.status_code != 413:
                self.fault(f"POST {action} ({how}) from {page}: {len(r.request.body)} bytes "
                           f"answered {r.status_code}, not 413")
        elif r.status_code == 200 and how != "long":
            # A form shown again must say what is wrong, with a 4xx.
            self.fault(f"POST {action} ({how}) from {page} answered 200")
        if 400 <= r.status_code < 500 and "text/html" in r.headers.get("content-type", ""):
            self.errors_beside(action, how, r.text)

    def errors_beside(self, action, how, html):
        """A form shown again with what is wrong says each thing in the summary and beside
        its answer (GOV.UK's error pattern): every summary link to a question on the page
        has that question's own message."""
        soup = BeautifulSoup(html, "html.parser")
        summary = soup.select_one(".govuk-error-summary")
        if summary is None:
            return
        for a in summary.select("a[href^='#']"):
            anchor = a["href"][1:]
            target = soup.find(id=anchor) if anchor else None
            # A question on the form (an answer, the first box of a date, a group of
            # choices); a summary may also point at a part of the page, such as the steps on
            # a plan, whose only inputs are buttons' hidden form tokens.
            def answer(t):
                return t.name in ("select", "textarea") or (
                    t.name == "input" and t.get("type") not in ("hidden", "submit"))
            if target is None or not (answer(target) or target.find(answer)):
                continue
            self.checked_beside += 1
            if soup.find(id=f"{anchor}-error") is None:
                self.fault(f"POST {action} ({how}): {a.get_text(strip=True)!r} is not said "
                           f"beside #{anchor}")


def run(profile):
    scratch = tempfile.mkdtemp(prefix="tact-ui-fuzz-")
    data = os.path.join(scratch, "data")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = os.path.join(scratch, "log")
    log = open(log_path, "w", encoding="utf-8")
    server = subprocess.Popen(
        [TACT, "--data", data, "serve", "--demo", "--profile", profile, "--listen", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    faults, taken, sent, kinds = [], [], 0, set()
    try:
        wait_ready(base, server)
        # Each member of staff's API token, as the demo wrote them ("sign in as NAME ...
        # token TOKEN"); the administrator has none.
        tokens = dict(re.findall(r"sign in as (\w+)\s+token (\S+)",
                                 open(os.path.join(data, "demo-tokens.txt"), encoding="utf-8").read()))
        compared, too_large, beside, banners = 0, 0, 0, 0
        for who in WHO[profile]:
            w = Walk(base, who, tokens.get(who))
            forms = w.walk()
            kinds |= set(forms)
            for page, action, form in forms.values():
                for how in ("empty", "junk", "choice", "long"):
                    w.send(page, action, form, how)
                    sent += 1
            for offered in w.offered.values():
                for page, action, form in offered:
                    w.send(page, action, form, "person")
                    sent += 1
            faults += w.faults
            taken += [f"{who}: {t}" for t in w.taken]
            compared += w.compared
            too_large += w.too_large
            beside += w.checked_beside
            banners += w.said
            print(f"{profile} as {who}: {w.pages} pages, {len(forms)} forms, "
                  f"{w.compared} person pages' step links checked against the API, "
                  f"{w.checked_beside} errors checked beside their answers, "
                  f"{w.said} steps taken that said what they did")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    if compared == 0:
        faults.append("no person's page had its step links checked against the API")
    if too_large == 0:
        faults.append("no form was sent with more than the server reads, to see it refused as too long")
    if beside == 0:
        faults.append("no refused form had its errors checked beside their answers")
    if banners == 0:
        faults.append("no form filled in as a person would was taken, to see it say what it did")
    print(f"{profile}: {too_large} forms sent larger than {MAX_BODY} bytes")
    said = open(log_path, encoding="utf-8").read()
    if "panicked" in said:
        faults.append(f"the server panicked:\n{said[-4000:]}")
    shutil.rmtree(scratch)
    return faults, taken, sent, kinds


def main():
    ok = True
    for profile in WHO:
        faults, taken, sent, kinds = run(profile)
        print(f"{profile}: {len(kinds)} forms, {sent} submissions, {len(faults)} faults")
        print(f"  forms: {' '.join(sorted(kinds))}")
        for t in taken:
            print(f"  taken: {t}")
        for f in faults:
            print(f"  FAULT {f}")
        ok &= not faults
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
