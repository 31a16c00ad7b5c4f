# Runs at install time (see cmake/install.cmake): installs deploy/herald.toml
# and deploy/herald.service with the paths of the install prefix. An existing
# config is an operator's: it is never overwritten; the new one goes next to
# it as herald.toml.new.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(sysconf "/etc")
else()
  set(sysconf "${prefix}/etc")
endif()
set(destdir "$ENV{DESTDIR}")

set(config_dir "${destdir}${sysconf}/herald")
set(config "${config_dir}/herald.toml")
file(MAKE_DIRECTORY "${config_dir}")
if(EXISTS "${config}")
  message(STATUS "Keeping: ${config} (the new default is herald.toml.new next to it)")
  set(config "${config}.new")
else()
  message(STATUS "Installing: ${config}")
endif()
file(READ "${HERALD_SOURCE_DIR}/deploy/herald.toml" text)
file(WRITE "${config}" "${text}")

file(READ "${HERALD_SOURCE_DIR}/deploy/herald.service" unit)
string(REPLACE "/usr/bin/herald" "${prefix}/bin/herald" unit "${unit}")
string(REPLACE "/etc/herald/" "${sysconf}/herald/" unit "${unit}")
string(REPLACE "/usr/share/doc/herald/" "${prefix}/share/doc/herald/" unit "${unit}")
set(unit_dir "${destdir}${prefix}/lib/systemd/system")
file(MAKE_DIRECTORY "${unit_dir}")
message(STATUS "Installing: ${unit_dir}/herald.service")
file(WRITE "${unit_dir}/herald.service" "${unit}")
