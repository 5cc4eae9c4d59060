"""Cost of one password guess: one PBKDF2-HMAC-SHA-256 derivation at 600,000 iterations.

    python scripts/kdf_cost.py              # Python, `cryptography` (OpenSSL), one core
    python scripts/kdf_cost.py --browser    # and Chromium's WebCrypto (Playwright, /usr/bin/chromium)

The browser figure is taken on an empty page at a loopback address, since WebCrypto needs a secure
context and Chromium does not count about:blank as one.

Prints the median of --repeat derivations in milliseconds. This is the key derivation of
password-mode client reports (docs/user-guide/private.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

ITERATIONS = 600_000
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
BLANK_URL = "http://127.0.0.1/kdf-cost"

BROWSER_JS = """async ([iterations, repeat, password]) => {
  const enc = new TextEncoder();
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    const base = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
    await crypto.subtle.deriveBits({name: "PBKDF2", hash: "SHA-256", salt, iterations}, base, 256);
    times.push(performance.now() - start);
  }
  return times;
}"""


def python_times(repeat: int) -> list[float]:
    salt = os.urandom(16)
    times = []
    for _ in range(repeat):
        kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ITERATIONS)
        start = time.perf_counter()
        kdf.derive(PASSWORD.encode("utf-8"))
        times.append((time.perf_counter() - start) * 1000)
    return times


def browser_times(repeat: int) -> list[float] | str:
    """The derivation in headless Chromium, or a sentence saying why it could not run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright is not installed"
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} not found"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            # about:blank is not a secure context in Chromium, so crypto.subtle is undefined there;
            # an empty page served (by Playwright, no server) at a loopback address is one.
            page.route(BLANK_URL, lambda route: route.fulfill(status=200, content_type="text/html", body=""))
            page.goto(BLANK_URL)
            page.evaluate(BROWSER_JS, [ITERATIONS, 1, PASSWORD])  # warm-up
            return page.evaluate(BROWSER_JS, [ITERATIONS, repeat, PASSWORD])
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also measure Chromium's WebCrypto")
    parser.add_argument("--repeat", type=int, default=5, help="derivations per measurement (default: 5)")
    args = parser.parse_args()

    python_times(1)  # warm-up
    times = python_times(args.repeat)
    print(f"PBKDF2-HMAC-SHA-256, {ITERATIONS:,} iterations, median of {args.repeat}")
    print(f"  Python cryptography (OpenSSL): {statistics.median(times):.1f} ms "
          f"(range {min(times):.1f}-{max(times):.1f})")
    if args.browser:
        result = browser_times(args.repeat)
        if isinstance(result, str):
            print(f"  Chromium WebCrypto: not measured ({result})")
        else:
            print(f"  Chromium WebCrypto: {statistics.median(result):.1f} ms "
                  f"(range {min(result):.1f}-{max(result):.1f})")


if __name__ == "__main__":
    main()
