"""A tiny PiPyOS application: greets on the serial console, counts a few
seconds with time.sleep, then leaves the REPL to the user."""

import time


def main():
    print("Hello from my PiPyOS app!")
    for second in range(1, 4):
        time.sleep(1)
        print("tick", second)
    print("Done; the Python prompt is yours.")


main()
