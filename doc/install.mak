# Installation of the man page, the bash completion and the licence, and
# the man page's regeneration from --help. Included by the Makefile, whose
# install target installs the program.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Directories come from configure (config.mak); these defaults serve a
# config.mak written before configure knew them.

BINDIR ?= $(PREFIX)/bin
DATAROOTDIR ?= $(PREFIX)/share
MANDIR ?= $(DATAROOTDIR)/man
DOCDIR ?= $(DATAROOTDIR)/doc/dialogueduck
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
STRIP ?= strip

install: install-man install-completion install-doc

install-man:
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 doc/dialogueduck.1 $(DESTDIR)$(MANDIR)/man1/dialogueduck.1

install-completion:
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 doc/dialogueduck.bash $(DESTDIR)$(BASHCOMPDIR)/dialogueduck

install-doc:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 COPYING.LGPLv2.1 $(DESTDIR)$(DOCDIR)/COPYING.LGPLv2.1

# install with the program stripped (install -s)
install-strip:
	$(MAKE) INSTALL_STRIP=1 install

uninstall: uninstall-doc

uninstall-doc:
	rm -f $(DESTDIR)$(MANDIR)/man1/dialogueduck.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/dialogueduck
	rm -f $(DESTDIR)$(DOCDIR)/COPYING.LGPLv2.1
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

# the man page's option sections from the program's --help
man: $(PROG)
	sh doc/man.sh update ./$(PROG)

.PHONY: install-man install-completion install-doc install-strip uninstall-doc man
