"""The Python side of examples/python: shares a value and serves a function with sysframe 0.4.1,
then calls the function the membridge side serves. Run it in terminal 1 (see README.md)."""
import sys, time
from sysframe import membridge

membridge.write_memory('demo-config', {'rate': 50, 'axes': ('x', 'y'), 'gain': 1.0})
print('python: wrote demo-config', flush=True)

# membridge's function (terminal 2 must be running); try for a while
for _ in range(100):
    try:
        print('python: membridge says', membridge.call_function('demo-js-greet', ('python',)), flush=True)
        break
    except MemoryError:
        time.sleep(0.2)

print('python: read back', membridge.read_memory('demo-config'), flush=True)


def scale(x, factor):
    return x * factor


print('python: serving demo-py-scale until membridge removes it', flush=True)
membridge.create_function('demo-py-scale', scale)  # blocks this process, as sysframe does
membridge.remove_memory('demo-config')
print('python: done', flush=True)
