"""What the tests share: the CLI run as a user runs it (:mod:`.cli`), the emulator's control API
and the Connect API used as a person would (:mod:`.emulator`), declaration folders and declared
connectors (:mod:`.declarations`), real git repositories (:mod:`.git`), Python in a fresh
interpreter (:mod:`.fresh_python`), and the fakes and samples some suites need. Test modules
import from here, never from each other.
"""
