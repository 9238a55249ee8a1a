# Install rules of libfirehose: headers, the library, a relocatable CMake
# package (firehoseConfig.cmake, firehoseConfigVersion.cmake, the exported
# firehose::firehose target) and a pkg-config file. Consumers then write
#   find_package(firehose CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE firehose::firehose)
# or `pkg-config --cflags --libs firehose` (add --static for the static library).
include(CMakePackageConfigHelpers)

set(FIREHOSE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/firehose)

install(TARGETS firehose_lib EXPORT firehoseTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/firehose
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT firehoseTargets
  NAMESPACE firehose::
  FILE firehoseTargets.cmake
  DESTINATION ${FIREHOSE_CMAKE_DIR})
# The same targets from the build tree, without installing.
export(EXPORT firehoseTargets NAMESPACE firehose::
  FILE ${PROJECT_BINARY_DIR}/firehoseTargets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/firehoseConfig.cmake.in
  ${PROJECT_BINARY_DIR}/firehoseConfig.cmake
  INSTALL_DESTINATION ${FIREHOSE_CMAKE_DIR})
# 0.x: a minor version may change the API (docs/library.md), so only the same
# major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/firehoseConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/firehoseConfig.cmake ${PROJECT_BINARY_DIR}/firehoseConfigVersion.cmake
  DESTINATION ${FIREHOSE_CMAKE_DIR})

# pkg-config: paths relative to the .pc file's own place (${pcfiledir}), so
# that the prefix can be moved like the CMake package.
file(RELATIVE_PATH FIREHOSE_PC_TO_PREFIX
  ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" FIREHOSE_PC_TO_PREFIX "${FIREHOSE_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/firehose.pc.in ${PROJECT_BINARY_DIR}/firehose.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/firehose.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
