# Run by `cmake --install` (and by CPack): the configuration file and the systemd unit, placed by the prefix this
# install uses. With /usr (a distribution's layout, the .deb) they go to /etc/eventd and /lib/systemd/system; with
# any other prefix under it. The unit's paths are the installed ones. EVENTD_* are set by the install(CODE) before.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_etc /etc)
  set(_units /lib/systemd/system)
else()
  set(_etc "${CMAKE_INSTALL_PREFIX}/etc")
  set(_units "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
file(INSTALL "${EVENTD_SOURCE_DIR}/config/eventd.json" DESTINATION "${_etc}/eventd")

# The names the unit's template uses.
set(CMAKE_INSTALL_FULL_BINDIR "${CMAKE_INSTALL_PREFIX}/${EVENTD_BINDIR}")
set(CMAKE_INSTALL_FULL_DATADIR "${CMAKE_INSTALL_PREFIX}/${EVENTD_DATADIR}")
set(CMAKE_INSTALL_FULL_DOCDIR "${CMAKE_INSTALL_PREFIX}/${EVENTD_DOCDIR}")
set(CMAKE_INSTALL_FULL_SYSCONFDIR "${_etc}")
string(RANDOM LENGTH 12 _tag)
set(_unit "${CMAKE_CURRENT_BINARY_DIR}/eventd.service.${_tag}")
configure_file("${EVENTD_SOURCE_DIR}/packaging/eventd.service.in" "${_unit}" @ONLY)
file(INSTALL "${_unit}" DESTINATION "${_units}" RENAME eventd.service)
file(REMOVE "${_unit}")
