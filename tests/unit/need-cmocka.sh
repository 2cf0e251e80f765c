# SPDX-License-Identifier: MIT
# Stands in for the unit tests when configure found no cmocka.
echo "FAIL: the unit tests need cmocka, which configure did not find: apt-get install libcmocka-dev, then run configure again"
exit 99
