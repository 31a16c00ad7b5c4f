# `cmake --install build` (prefix /usr/local) or `cmake --install build
# --prefix /usr` (where a Debian package puts things):
#   <prefix>/bin/herald
#   <sysconf>/herald/herald.toml          the service's config (deploy/herald.toml)
#   <prefix>/lib/systemd/system/herald.service
#   <prefix>/share/doc/herald/            README, API, every config key (config/herald.toml)
# <sysconf> is /etc for the prefix /usr and <prefix>/etc otherwise. Both
# depend on the prefix given at install time, which may differ from the one
# configured, so the config and the unit are placed by a script that runs
# then (cmake/install_service.cmake).
include(GNUInstallDirs)

install(TARGETS herald RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md docs/api.md config/herald.toml
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/herald)
install(CODE "set(HERALD_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")")
install(SCRIPT cmake/install_service.cmake)
