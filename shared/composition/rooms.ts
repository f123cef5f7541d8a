import {
  listBuildings as listBuildingsUseCase,
  setBuildingTimeZone as setZoneUseCase,
} from "../app/rooms/buildings";
import { importRooms as importRoomsUseCase } from "../app/sync/import-rooms";
import { getServices, type Result } from "./services";
import { buildingsDependencies, importRoomsDependencies } from "./sync-wiring";

/** Rooms ONES knows: import by address, buildings and their time zones. */

/** Imports rooms by address (delegated modes), checking each calendar with a signed-in user's token. */
export const importRooms = async (
  input: Parameters<typeof importRoomsUseCase>[1],
  log?: (message: string) => void,
): Promise<Result<typeof importRoomsUseCase>> =>
  importRoomsUseCase(await importRoomsDependencies(getServices(), log), input);

export const listBuildings = (): Promise<Result<typeof listBuildingsUseCase>> =>
  listBuildingsUseCase(buildingsDependencies(getServices()));

export const setBuildingTimeZone = (
  buildingId: string,
  timeZone: string,
): Promise<Result<typeof setZoneUseCase>> =>
  setZoneUseCase(buildingsDependencies(getServices()), buildingId, timeZone);
