"""Regenerates email_vectors.json: Django 6.1's EmailValidator (taken from the
Django source mirror, run on Debian's Django 3.2 under /usr/bin/python3) on
every JSON string of email_cases.txt. Usage, from this directory:

    git -C /work/.mirror/codeflash-ai+django/repo show HEAD:django/core/validators.py > v61.py
    /usr/bin/python3 gen_email_vectors.py > email_vectors.json
"""
import json, re, sys
sys.path.insert(0, '/usr/lib/python3/dist-packages')
import django
from django.conf import settings
settings.configure()
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import gettext_lazy as _
import ipaddress
from django.core.validators import validate_ipv4_address
from django.utils.ipv6 import is_valid_ipv6_address as _old
src = open('v61.py').read()
ns = {}
# take DomainNameValidator and EmailValidator classes from 6.1
import django.core.validators as dv
def grab(name):
    m = re.search(r'(@deconstructible\nclass %s\b.*?)(?=\n\n\n)' % name, src, re.S)
    return m.group(1)
g = dict(dv.__dict__)
def is_valid_ipv6_address(ip):
    if len(ip) > 39: return False
    try:
        ipaddress.IPv6Address(int(ipaddress.IPv6Address(ip)))
    except (TypeError, ValueError):
        return False
    return True
def validate_ipv46_address(value):
    try:
        validate_ipv4_address(value)
    except ValidationError:
        if not is_valid_ipv6_address(value):
            raise ValidationError("bad")
g['validate_ipv46_address'] = validate_ipv46_address
exec(grab('DomainNameValidator'), g)
exec(grab('EmailValidator'), g)
v = g['EmailValidator']()
cases = [l.rstrip('\n') for l in open('email_cases.txt', encoding='utf-8')]
out = []
for c in cases:
    c = json.loads(c)
    try:
        v(c); ok = True
    except ValidationError:
        ok = False
    out.append([c, ok])
print(json.dumps(out, ensure_ascii=False, indent=0))
