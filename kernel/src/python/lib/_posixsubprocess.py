"""_posixsubprocess: there are no processes on PiPyOS; `subprocess` imports, starting one fails."""


def fork_exec(*args, **kwargs):
    raise OSError(38, "Function not implemented: PiPyOS runs no other processes")
