#!/usr/bin/env python3
"""Walks the CharterWatch web pages in headless Chromium, checking that no page carries a script.

Usage: walkthrough.py BASE_URL WORKDIR
Environment: CW_PASSWORD (every user's), CW_EMPLOYER_ID, CW_FLAG_ID; CW_ARTEFACTS, a directory for the
screenshots kept as test artefacts (none without it).
Exit status 0 when every step passed; 1 naming the first step that failed; 3 when Chromium,
chromedriver or selenium is missing (the Swift test reports that as a failure, never a skip).
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


def no_scripts():
    check(driver.find_elements(By.TAG_NAME, "script") == [], "the page has a script")


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
    check(driver.find_elements(By.TAG_NAME, "script") == [], "the page has a script")
    step = "the skip link is the first thing the keyboard reaches"
    say(step)
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    check(driver.switch_to.active_element.get_attribute("class") == "skip", "Tab did not reach the skip link")
    step = "the sign-in page fits a 360px phone"
    say(step)
    fits_a_phone()
    shoot("sign-in")

    step = "a wrong password is refused with the sentence"
    say(step)
    sign_in("jo@union.example", "not the password at all")
    check("The email or password is not right." in driver.page_source, "no refusal sentence")
    shoot("sign-in-refused")

    step = "the rep signs in and lands on the queue"
    say(step)
    sign_in("jo@union.example", PASSWORD)
    check(driver.current_url.endswith("/flags"), "not on /flags")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Flags", "no Flags heading")
    no_scripts()
    check("Signed in as Jo Rep" in driver.page_source, "the header does not say who is signed in")
    step = "the queue fits a 360px phone"
    say(step)
    fits_a_phone()
    shoot("rep-queue")

    step = "the rep filters the queue with the GET form"
    say(step)
    driver.find_element(By.ID, "f-state").send_keys("open")
    submit("form.filters")
    check("state=open" in driver.current_url, "the filter is not in the address")

    step = "the rep acknowledges and resolves a flag through its forms"
    say(step)
    driver.get(BASE + driver.find_element(By.CSS_SELECTOR, f"a[href='/flags/{FLAG}']").get_attribute("pathname"))
    submit(f"form[action='/flags/{FLAG}/acknowledge']")
    no_scripts()
    check("open → acknowledged" in driver.page_source, "the history does not show the acknowledgement")
    shoot("flag-acknowledged")
    driver.find_element(By.ID, "note-resolve").send_keys("Return received late but complete")
    submit(f"form[action='/flags/{FLAG}/resolve']")
    check("acknowledged → resolved" in driver.page_source, "the history does not show the resolution")
    check("Return received late but complete" in driver.page_source, "the note is not shown")
    shoot("flag-resolved")

    step = "the rep signs out"
    say(step)
    submit("form[action='/sign-out']")
    check(driver.current_url.endswith("/sign-in"), "not back on /sign-in")
    driver.get(BASE + "/flags")
    check(driver.current_url.endswith("/sign-in"), "the session still works after signing out")

    step = "the employer uploads a return with an error, then a corrected one"
    say(step)
    columns = ("worker_ref,employment_type,contract_type,age_band,workplace_london,hourly_rate,contracted_hours,"
               "avg_actual_hours_12w,start_date,shifts_scheduled,shifts_short_notice,shifts_cancelled_short_notice,"
               "shifts_cancelled_paid")
    good = "W1,direct,permanent,21_plus,no,13.50,37.5,37.5,2021-03-01,60,2,1,1"
    bad = "W2,direct,permanent,21_plus,maybe,13.50,37.5,37.5,2021-03-01,60,2,1,1"
    header = os.path.join(WORKDIR, "header.json")
    with open(header, "w") as f:
        f.write('{"period": "2026-Q3", "headcount": 1, "attestations": {"sick_pay_waiting_days": 0}}')
    for name, lines in [("bad.csv", [good, bad]), ("good.csv", [good])]:
        with open(os.path.join(WORKDIR, name), "w") as f:
            f.write("\r\n".join([columns] + lines) + "\r\n")
    sign_in("hr@sefton.example", PASSWORD)
    check(driver.current_url.endswith(f"/employers/{EMPLOYER}"), "the employer did not land on its page")

    def upload(csv):
        driver.find_element(By.ID, "period").clear()
        driver.find_element(By.ID, "period").send_keys("2026-Q3")
        driver.find_element(By.ID, "header").send_keys(header)
        driver.find_element(By.ID, "lines").send_keys(os.path.join(WORKDIR, csv))
        submit("form[enctype='multipart/form-data']")

    upload("bad.csv")
    check("<td>3</td><td>workplace_london</td>" in driver.page_source, "the error is not listed by line and column")
    shoot("upload-refused-with-row-errors")
    upload("good.csv")
    check(driver.current_url.endswith(f"/employers/{EMPLOYER}/returns/2026-Q3"), "not on the return's page")
    check("version 1" in driver.page_source, "the history does not show version 1")
    shoot("upload-accepted")
    print("walkthrough passed")
except Exception as error:  # noqa: BLE001 - every failure is reported with its step
    print(f"FAILED at step: {step}: {error}", file=sys.stderr)
    sys.exit(1)
finally:
    driver.quit()
