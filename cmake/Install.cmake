# `cmake --install`: the library (one static archive per layer plus the
# `sipline::sipline` aggregate), its headers, a CMake package
# (find_package(sipline)), a pkg-config file, the program, its man page and a
# systemd unit.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(sipline_layers GLOBAL PROPERTY SIPLINE_LAYERS)
install(TARGETS ${sipline_layers} sipline EXPORT siplineTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Headers keep the source layout: #include "reg/redundancy_engine.hpp".
install(DIRECTORY src/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/sipline
  FILES_MATCHING PATTERN "*.hpp" PATTERN "testing" EXCLUDE)
install(EXPORT siplineTargets NAMESPACE sipline::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sipline)
configure_package_config_file(packaging/siplineConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/siplineConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sipline)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/siplineConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/siplineConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/siplineConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/sipline)

# pkg-config lists the archives top layer first, as a static link needs.
set(SIPLINE_PC_LIBS "")
foreach(layer ua reg call config dns transport txn runtime auth sip common)
  if(TARGET sipline_${layer})
    get_target_property(kind sipline_${layer} TYPE)
    if(kind STREQUAL "STATIC_LIBRARY")
      string(APPEND SIPLINE_PC_LIBS " -lsipline_${layer}")
    endif()
  endif()
endforeach()
# The .pc file finds the prefix relative to itself, so --prefix works.
file(RELATIVE_PATH SIPLINE_PC_UP /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(packaging/sipline.pc.in ${CMAKE_CURRENT_BINARY_DIR}/sipline.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sipline.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES docs/sipline.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
configure_file(packaging/sipline.service.in ${CMAKE_CURRENT_BINARY_DIR}/sipline.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sipline.service
  DESTINATION lib/systemd/system)
