# ComponoAddComponent.cmake - build a WebAssembly component from C++ sources.
#
#   compono_add_component(<target>
#       WIT <dir-or-file> WORLD <world>       the world the component targets
#       SOURCES <file>...                     C++ sources (C++20) implementing its exports
#       [INCLUDE_DIRECTORIES <dir>...]
#       [COMPILE_OPTIONS <opt>...]
#       [OUTPUT <path>]                       default ${CMAKE_CURRENT_BINARY_DIR}/<target>.wasm
#       [BINDGEN_OPTIONS <opt>...]            extra `compono bindgen cpp` options (e.g. --manual-borrows)
#       [NEW_COMMAND <cmd>...])               what turns the core module into a component,
#                                             run as `<cmd> IN.wasm -o OUT.wasm`;
#                                             default `compono new` (e.g. `jco new` instead)
#
# Steps (all at build time, as custom commands, since the host compiler is
# not the wasm one):
#   1. `compono bindgen cpp --world <world> <wit> -o <bin>/<target>.bindings`
#      -> <world>.h / <world>.cpp (sources include "<world>.h")
#   2. clang++-19 --target=wasm32-wasi -std=c++20 -O2 -fno-exceptions -fno-rtti
#      for every source and the generated glue (header deps via depfiles)
#   3. link a reactor with the guest library (cabi_realloc, WASI shim)
#   4. `compono wit embed` the guest runtime's own imports world
#      (compono:guest/imports) next to the component's world, so code that
#      uses the C library (printf, ...) still makes a valid component
#   5. `compono new` -> <target>.wasm
# The target <target> has the component path in property COMPONO_COMPONENT.
#
# Inside the Compono build the tools come from its targets; after
# `find_package(Compono)` from the install (see ComponoConfig.cmake.in):
#   COMPONO_EXECUTABLE, COMPONO_WASM_CXX, COMPONO_GUEST_INCLUDE_DIR,
#   COMPONO_GUEST_WASI_LIB, COMPONO_GUEST_WIT_DIR
include_guard(GLOBAL)

function(compono_add_component name)
  cmake_parse_arguments(ARG "" "WIT;WORLD;OUTPUT" "SOURCES;INCLUDE_DIRECTORIES;COMPILE_OPTIONS;NEW_COMMAND;BINDGEN_OPTIONS" ${ARGN})
  if(NOT ARG_WIT OR NOT ARG_WORLD OR NOT ARG_SOURCES)
    message(FATAL_ERROR "compono_add_component(${name}): WIT, WORLD and SOURCES are required")
  endif()
  # Tools: in-tree targets or the installed package.
  if(TARGET compono)
    set(compono_exe $<TARGET_FILE:compono>)
    set(compono_dep compono)
  else()
    set(compono_exe ${COMPONO_EXECUTABLE})
    set(compono_dep ${COMPONO_EXECUTABLE})
  endif()
  set(guest_deps ${COMPONO_GUEST_WASI_LIB})
  if(TARGET compono_guest_wasi)
    list(APPEND guest_deps compono_guest_wasi)
  endif()
  if(NOT COMPONO_WASM_CXX OR NOT COMPONO_GUEST_WASI_LIB OR NOT compono_exe)
    message(STATUS "compono_add_component(${name}): wasm toolchain or guest library unavailable; skipped")
    return()
  endif()

  get_filename_component(wit ${ARG_WIT} ABSOLUTE)
  set(world_base ${ARG_WORLD})
  string(REGEX REPLACE "@.*$" "" world_base "${world_base}")
  string(REGEX REPLACE "^.*/" "" world_base "${world_base}")
  string(REPLACE "-" "_" world_base "${world_base}")
  string(TOLOWER "${world_base}" world_base)

  set(out ${ARG_OUTPUT})
  if(NOT out)
    set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm)
  endif()
  set(bind ${CMAKE_CURRENT_BINARY_DIR}/${name}.bindings)
  set(objdir ${CMAKE_CURRENT_BINARY_DIR}/${name}.objs)
  if(IS_DIRECTORY ${wit})
    file(GLOB_RECURSE wit_files CONFIGURE_DEPENDS ${wit}/*.wit)
  else()
    set(wit_files ${wit})
  endif()
  add_custom_command(
    OUTPUT ${bind}/${world_base}.h ${bind}/${world_base}.cpp
    COMMAND ${compono_exe} bindgen cpp --world ${ARG_WORLD} ${wit} -o ${bind} --name ${world_base} ${ARG_BINDGEN_OPTIONS}
    DEPENDS ${wit_files} ${compono_dep}
    COMMENT "compono bindgen cpp: ${ARG_WORLD} -> ${name}.bindings/"
    VERBATIM)

  set(flags --target=wasm32-wasi -std=c++20 -O2 -fno-exceptions -fno-rtti
      -I${bind} -I${COMPONO_GUEST_INCLUDE_DIR} -I${CMAKE_CURRENT_SOURCE_DIR})
  foreach(dir ${ARG_INCLUDE_DIRECTORIES})
    get_filename_component(dir ${dir} ABSOLUTE)
    list(APPEND flags -I${dir})
  endforeach()
  list(APPEND flags ${ARG_COMPILE_OPTIONS})

  set(objs)
  set(idx 0)
  foreach(src ${ARG_SOURCES} ${bind}/${world_base}.cpp)
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME)
    set(obj ${objdir}/${idx}-${base}.o)
    math(EXPR idx "${idx} + 1")
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${objdir}
      COMMAND ${COMPONO_WASM_CXX} ${flags} -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs} ${bind}/${world_base}.h
      DEPFILE ${obj}.d
      COMMENT "component ${name}: compiling ${base} for wasm32-wasi"
      VERBATIM)
    list(APPEND objs ${obj})
  endforeach()

  set(new_cmd ${ARG_NEW_COMMAND})
  if(NOT new_cmd)
    set(new_cmd ${compono_exe} new)
  endif()
  set(core ${CMAKE_CURRENT_BINARY_DIR}/${name}.core.wasm)
  add_custom_command(
    OUTPUT ${core}
    COMMAND ${COMPONO_WASM_CXX} --target=wasm32-wasi -O2 -fno-exceptions ${objs} ${COMPONO_GUEST_WASI_LIB}
            -mexec-model=reactor -Wl,--strip-debug -o ${core}
    DEPENDS ${objs} ${guest_deps}
    COMMENT "component ${name}: linking ${name}.core.wasm"
    VERBATIM)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${compono_exe} wit embed --world compono:guest/imports@0.1.0 ${COMPONO_GUEST_WIT_DIR} ${core}
            -o ${CMAKE_CURRENT_BINARY_DIR}/${name}.embed.wasm
    COMMAND ${new_cmd} ${CMAKE_CURRENT_BINARY_DIR}/${name}.embed.wasm -o ${out}
    DEPENDS ${core} ${compono_dep} ${guest_deps}
    COMMENT "component ${name}: component new -> ${out}"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${out})
  set_property(TARGET ${name} PROPERTY COMPONO_COMPONENT ${out})
endfunction()

# Install rules and the package config (in-tree only, once).
if(PROJECT_NAME STREQUAL "Compono" AND NOT COMPONO_PACKAGE_RULES_ADDED)
  set(COMPONO_PACKAGE_RULES_ADDED ON)
  include(CMakePackageConfigHelpers)
  set(_cfg_dir lib/cmake/Compono)
  configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ComponoConfig.cmake.in
    ${CMAKE_BINARY_DIR}/ComponoConfig.cmake INSTALL_DESTINATION ${_cfg_dir})
  write_basic_package_version_file(${CMAKE_BINARY_DIR}/ComponoConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${CMAKE_BINARY_DIR}/ComponoConfig.cmake ${CMAKE_BINARY_DIR}/ComponoConfigVersion.cmake
    ${CMAKE_CURRENT_LIST_FILE} DESTINATION ${_cfg_dir})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/guest/include/ DESTINATION include/compono-guest)
  if(COMPONO_GUEST_WASI_LIB)
    install(FILES ${COMPONO_GUEST_WASI_LIB} DESTINATION lib/wasm32-wasi)
  endif()
  if(COMPONO_GUEST_WIT_DIR)
    # deps/ holds symlinks to the shared WASI packages (installed as links).
    install(DIRECTORY ${COMPONO_GUEST_WIT_DIR}/ DESTINATION share/compono/guest-wit)
  endif()
endif()
