#!/usr/bin/env python3
"""Walks the CharterWatch web pages in headless Chromium, checking that no page carries a script and
that axe-core finds no accessibility violation on any page it reaches.

Usage: walkthrough.py BASE_URL WORKDIR
Environment: CW_PASSWORD (every user's), CW_EMPLOYER_ID, CW_FLAG_ID; CW_ARTEFACTS, a directory for the
screenshots kept as test artefacts (none without it).
Exit status 0 when every step passed; 1 naming the first step that failed; 3 when Chromium,
chromedriver, selenium or axe-playwright-python (which ships axe-core) is missing (the Swift test reports
that as a failure, never a skip).
"""
import os
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    print(f"MISSING: selenium is not installed ({error}); pip install selenium", file=sys.stderr)
    sys.exit(3)
# axe-core as the axe-playwright-python wheel ships it (browser_kit); injected through the driver, so the
# pages' Content-Security-Policy (no scripts) still holds for everything the pages themselves carry.
from browser_kit import AXE  # noqa: E402

BASE, WORKDIR = sys.argv[1].rstrip("/"), sys.argv[2]
PASSWORD = os.environ["CW_PASSWORD"]
EMPLOYER = os.environ["CW_EMPLOYER_ID"]
FLAG = os.environ["CW_FLAG_ID"]


def find(names):
    for name in names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    return None


browser = find(["chromium", "/usr/bin/chromium"])
driver_path = find(["chromedriver", "/usr/bin/chromedriver"])
if not browser or not driver_path:
    print("MISSING: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
          file=sys.stderr)
    sys.exit(3)

options = Options()
options.binary_location = browser
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]:
    options.add_argument(argument)
# A phone's viewport (headless windows are at least 500 px wide, so emulate one).
options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 2}})
# The pages carry no JavaScript (checked on every page below, and their Content-Security-Policy
# allows none). Chromium's JavaScript switch is left on: chromedriver needs it to drive the browser.
driver = webdriver.Chrome(service=Service(driver_path), options=options)
driver.implicitly_wait(5)
driver.set_page_load_timeout(30)
step = "starting"


def say(text):
    print(text, flush=True)


ARTEFACTS = os.environ.get("CW_ARTEFACTS")
shots = 0


def shoot(name):
    """Keeps a screenshot of the page as a test artefact (CW_ARTEFACTS), numbered in walk order."""
    global shots
    if not ARTEFACTS:
        return
    os.makedirs(ARTEFACTS, exist_ok=True)
    shots += 1
    driver.save_screenshot(os.path.join(ARTEFACTS, f"{shots:02d}-{name}.png"))


def check(condition, what):
    if not condition:
        raise AssertionError(f"{what} (at {driver.current_url})")


def submit(css):
    """Clicks the button of the form at `css` and waits for the next page to load."""
    old = driver.find_element(By.TAG_NAME, "html")
    try:
        driver.find_element(By.CSS_SELECTOR, css + " button").click()
    except WebDriverException as error:
        # chromedriver sometimes loses the button when the click has already started the navigation.
        if "does not belong to the document" not in str(error):
            raise
    WebDriverWait(driver, 20).until(lambda _: gone(old))


def gone(element):
    """Whether `element` belongs to a page the browser has left."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        # StaleElementReferenceException, or chromedriver's "does not belong to the document".
        return True


def absent(by, value):
    """Whether the loaded page has no element matching, asked without the implicit wait (which would
    spend five seconds proving each absence)."""
    driver.implicitly_wait(0)
    try:
        return driver.find_elements(by, value) == []
    finally:
        driver.implicitly_wait(5)


def no_scripts():
    check(absent(By.TAG_NAME, "script"), "the page has a script")


checked_pages = set()


def accessible():
    """Runs axe-core (every WCAG 2.x A and AA rule and its best practices) on the page; any violation fails."""
    no_scripts()
    driver.execute_script(AXE)
    driver.set_script_timeout(30)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    check(isinstance(result, list), f"axe-core did not run: {result}")
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result]
    check(problems == [], "axe-core found: " + "; ".join(problems))
    checked_pages.add(driver.current_url.split("?")[0])


def message(text):
    """The page's "what happened" banner says `text`."""
    banners = driver.find_elements(By.CSS_SELECTOR, "[role='status']")
    check(any(text in banner.text for banner in banners), f"no message saying {text!r}")


def sign_in(email, password):
    driver.get(BASE + "/sign-in")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    submit("form[action='/sign-in']")


def fits_a_phone():
    for tag in ["body", "header", "main", "form"]:
        for element in driver.find_elements(By.TAG_NAME, tag):
            width = element.size["width"]
            check(width <= 360, f"a {tag} is {width}px wide on a 360px screen")


try:
    step = "the start page sends nobody signed in to sign in"
    say(step)
    driver.get(BASE + "/")
    check(driver.current_url.endswith("/sign-in"), "not on /sign-in")
    no_scripts()
    step = "the skip link is the first thing the keyboard reaches"
    say(step)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("class") == "skip", "Tab did not reach the skip link")
    step = "the sign-in page fits a 360px phone and passes axe-core"
    say(step)
    fits_a_phone()
    accessible()
    shoot("sign-in")

    step = "a wrong password is refused with the sentence"
    say(step)
    sign_in("jo@union.example", "not the password at all")
    check("The email or password is not right." in driver.page_source, "no refusal sentence")
    check(not absent(By.CSS_SELECTOR, ".error-summary a[href='#email']"),
          "the error summary does not link to the email field")
    accessible()
    shoot("sign-in-refused")

    step = "a link from an email leads through sign-in to the page it named"
    say(step)
    driver.get(BASE + f"/flags/{FLAG}")
    check("/sign-in?next=" in driver.current_url, "not sent to sign in with the page to come back to")
    driver.find_element(By.ID, "email").send_keys("jo@union.example")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit("form[action='/sign-in']")
    check(driver.current_url.endswith(f"/flags/{FLAG}"), "not back on the flag the link named")
    message("You are signed in as Jo Rep.")
    accessible()
    shoot("signed-in-back-on-the-flag")

    step = "the rep's queue fits a 360px phone"
    say(step)
    driver.get(BASE + "/")
    check(driver.current_url.endswith("/flags"), "not on /flags")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Flags", "no Flags heading")
    check("Signed in as Jo Rep" in driver.page_source, "the header does not say who is signed in")
    check(absent(By.CSS_SELECTOR, "[role='status']"), "the sign-in message was shown twice")
    fits_a_phone()
    accessible()
    shoot("rep-queue")

    step = "the rep filters the queue with the GET form"
    say(step)
    driver.find_element(By.ID, "f-state").send_keys("open")
    submit("form.filters")
    check("state=open" in driver.current_url, "the filter is not in the address")

    step = "the rep acknowledges and resolves a flag through its forms"
    say(step)
    driver.get(BASE + driver.find_element(By.CSS_SELECTOR, f"a[href='/flags/{FLAG}']").get_attribute("pathname"))
    check(absent(By.CSS_SELECTOR, f"form[action='/flags/{FLAG}/reopen']"),
          "an open flag offers to be reopened")
    submit(f"form[action='/flags/{FLAG}/acknowledge']")
    check("open → acknowledged" in driver.page_source, "the history does not show the acknowledgement")
    message(f"You acknowledged flag #{FLAG}.")
    check("user:" not in driver.page_source, "the history names someone as user:N")
    check(absent(By.CSS_SELECTOR, f"form[action='/flags/{FLAG}/acknowledge']"),
          "an acknowledged flag still offers to be acknowledged")
    accessible()
    shoot("flag-acknowledged")
    driver.find_element(By.ID, "note-resolve").send_keys("Return received late but complete")
    submit(f"form[action='/flags/{FLAG}/resolve']")
    check("acknowledged → resolved" in driver.page_source, "the history does not show the resolution")
    check("Return received late but complete" in driver.page_source, "the note is not shown")
    message(f"You resolved flag #{FLAG}.")
    accessible()
    shoot("flag-resolved")

    step = "an address that is no page is the page-not-found page"
    say(step)
    driver.get(BASE + "/flags/nothing/here")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Page not found", "no page-not-found heading")
    check("Signed in as Jo Rep" in driver.page_source, "the 404 page is not in the layout")
    accessible()
    shoot("page-not-found")

    step = "the rep signs out"
    say(step)
    submit("form[action='/sign-out']")
    check(driver.current_url.endswith("/sign-in"), "not back on /sign-in")
    message("You have signed out.")
    driver.get(BASE + "/flags")
    check(driver.current_url.endswith("/sign-in?next=/flags"), "the session still works after signing out")

    step = "the employer uploads a return with an error, then a corrected one"
    say(step)
    columns = ("worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
               "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
               "shifts_cancelled_paid")
    # Two shifts at short notice out of one scheduled: accepted, with a plausibility warning.
    good = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,1,2,1,1"
    bad = "W2,direct,permanent,21_plus,maybe,13.50,37.5,37.5,2021-03-01,60,2,1,1"
    header = os.path.join(WORKDIR, "header.json")
    with open(header, "w") as f:
        f.write('{"period": "2026-Q3", "headcount": 1, "attestations": {"sick_pay_waiting_days": 0}}')
    for name, lines in [("bad.csv", [good, bad]), ("good.csv", [good])]:
        with open(os.path.join(WORKDIR, name), "w") as f:
            f.write("\r\n".join([columns] + lines) + "\r\n")
    sign_in("hr@sefton.example", PASSWORD)
    check(driver.current_url.endswith(f"/employers/{EMPLOYER}"), "the employer did not land on its page")
    check("overdue" in driver.page_source or "due in" in driver.page_source, "no due date status shown")
    accessible()
    shoot("employer-page-returns-due")

    def upload(csv):
        driver.find_element(By.ID, "period").clear()
        driver.find_element(By.ID, "period").send_keys("2026-Q3")
        driver.find_element(By.ID, "header").send_keys(header)
        driver.find_element(By.ID, "lines").send_keys(os.path.join(WORKDIR, csv))
        submit("form[enctype='multipart/form-data']")

    upload("bad.csv")
    check("<td>3</td><td>workplace_london</td>" in driver.page_source, "the error is not listed by line and column")
    accessible()
    shoot("upload-refused-with-row-errors")
    upload("good.csv")
    check(driver.current_url.endswith(f"/employers/{EMPLOYER}/returns/2026-Q3/versions/1"),
          "not on the confirmation page")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Return received", "no confirmation panel")
    check("shifts_short_notice (2) is more than shifts_scheduled (1)" in driver.page_source,
          "the plausibility warning is not shown")
    accessible()
    shoot("upload-confirmed")
    driver.execute_script("document.querySelector('ul.issues').scrollIntoView()")
    shoot("upload-confirmed-warnings")

    step = "a reload of the confirmation sends nothing again"
    say(step)
    driver.refresh()
    check(driver.find_element(By.TAG_NAME, "h1").text.endswith("version 1"), "the reload is not the version page")
    driver.find_element(By.LINK_TEXT, "Every version of the 2026-Q3 return").click()
    check("version 2" not in driver.page_source, "a second version was stored")
    accessible()
    shoot("return-versions")
    driver.get(BASE + f"/employers/{EMPLOYER}")
    check(">late</strong>" in driver.page_source, "the late return is not marked late")
    accessible()
    shoot("employer-page-return-late")

    step = "the charter team's administration page passes axe-core"
    say(step)
    submit("form[action='/sign-out']")
    sign_in("team@charter.example", PASSWORD)
    driver.get(BASE + "/admin")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Administration", "not on the administration page")
    accessible()
    shoot("admin")
    print(f"walkthrough passed; axe-core checked {len(checked_pages)} pages")
except Exception as error:  # noqa: BLE001 - every failure is reported with its step
    print(f"FAILED at step: {step}: {error}", file=sys.stderr)
    sys.exit(1)
finally:
    driver.quit()
